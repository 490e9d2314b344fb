import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defineRoute, rawReply } from '../../http/defineRoute';
import { ProblemError } from '../../http/problem';
import { escapeHtml } from '../../pages/htmlShell';

/** Where `npm run build:admin` writes the admin center (the browser app in admin/). */
export const adminDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/admin');

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Manifest {
  [entry: string]: { file: string; css?: string[]; imports?: string[]; isEntry?: boolean };
}

function assets(): { scripts: string[]; styles: string[] } | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(adminDist, '.vite', 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const key = Object.keys(manifest).find((k) => manifest[k].isEntry);
  if (!key) return undefined;
  const styles = new Set<string>();
  const visit = (name: string) => {
    for (const css of manifest[name]?.css ?? []) styles.add(`/admin/${css}`);
    for (const imported of manifest[name]?.imports ?? []) visit(imported);
  };
  visit(key);
  return { scripts: [`/admin/${manifest[key].file}`], styles: [...styles] };
}

/** The admin center's one page: its boot data (never executed), the built script and styles. */
export function adminCenterShell(options: { title: string; boot: unknown }): string {
  const built = assets();
  const json = JSON.stringify(options.boot).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(options.title)}</title>
${(built?.styles ?? []).map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('')}
</head>
<body>
<div id="app">${built ? '' : '<p class="notice">The admin center was not built. Run <code>npm run build:admin</code> and reload.</p>'}</div>
<script type="application/json" id="nod-boot">${json}</script>
${(built?.scripts ?? []).map((src) => `<script type="module" src="${escapeHtml(src)}"></script>`).join('')}
</body>
</html>`;
}

/** The admin center's bundles under `/admin/assets/` (names carry content hashes). */
export function adminCenterAssetRoutes(app: FastifyInstance): void {
  defineRoute(
    app,
    { method: 'GET', url: '/admin/assets/*', params: z.object({ '*': z.string() }), reply: rawReply },
    async ({ params, reply }) => {
      const relative = params['*'];
      const root = path.join(adminDist, 'assets');
      const file = path.resolve(root, relative);
      const type = types[path.extname(file)];
      if (!type || !file.startsWith(`${root}${path.sep}`) || relative.split('/').some((part) => part.startsWith('.'))) {
        throw new ProblemError('not_found', 'No such admin center asset.');
      }
      let body: Buffer;
      try {
        body = await fs.promises.readFile(file);
      } catch {
        throw new ProblemError('not_found', 'No such admin center asset.');
      }
      return reply
        .type(type)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(body);
    },
  );
}
