import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { builtAssets, builtFileRoutes } from '../../pages/builtAssets';
import { htmlDocument } from '../../pages/htmlShell';

/** Where `npm run build:admin` writes the admin center (the browser app in admin/). */
export const adminDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/admin');

/** The admin center's one page: its boot data (never executed), the built script and styles. */
export function adminCenterShell(options: { title: string; boot: unknown }): string {
  const built = builtAssets(adminDist, '/admin/', (_key, chunk) => chunk.isEntry === true);
  return htmlDocument({
    title: options.title,
    styles: built?.styles ?? [],
    body: built ? '' : '<p class="notice">The admin center was not built. Run <code>npm run build:admin</code> and reload.</p>',
    boot: options.boot,
    scripts: built?.scripts ?? [],
  });
}

/** The admin center's bundles under `/admin/assets/` (names carry content hashes). */
export function adminCenterAssetRoutes(app: FastifyInstance): void {
  builtFileRoutes(app, {
    prefix: '/admin/assets/',
    root: path.join(adminDist, 'assets'),
    what: 'admin center asset',
    cacheControl: () => 'public, max-age=31536000, immutable',
  });
}
