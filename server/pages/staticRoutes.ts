import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defineRoute, rawReply } from '../http/defineRoute';
import { ProblemError } from '../http/problem';
import { pagesDist } from './htmlShell';

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The hosted pages' bundles (`npm run build:hosted` → dist/hosted), under `/pages/`. Names carry content hashes. */
export function staticRoutes(app: FastifyInstance): void {
  defineRoute(
    app,
    { method: 'GET', url: '/pages/*', params: z.object({ '*': z.string() }), reply: rawReply },
    async ({ params, reply }) => {
      const relative = params['*'];
      const file = path.resolve(pagesDist, relative);
      const type = types[path.extname(file)];
      if (!type || !file.startsWith(`${pagesDist}${path.sep}`) || relative.split('/').some((part) => part.startsWith('.'))) {
        throw new ProblemError('not_found', 'No such page asset.');
      }
      let body: Buffer;
      try {
        body = await fs.promises.readFile(file);
      } catch {
        throw new ProblemError('not_found', 'No such page asset.');
      }
      return reply
        .type(type)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(body);
    },
  );
}
