import type { FastifyInstance } from 'fastify';
import { builtFileRoutes } from './builtAssets';
import { pagesDist } from './htmlShell';

/** The hosted pages' bundles (`npm run build:hosted` → dist/hosted), under `/pages/`. Names carry content hashes. */
export function staticRoutes(app: FastifyInstance): void {
  builtFileRoutes(app, {
    prefix: '/pages/',
    root: pagesDist,
    what: 'page asset',
    cacheControl: (relative) => (relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
}
