import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defineRoute, rawReply } from '../http/defineRoute';
import { ProblemError } from '../http/problem';

/** The built script and styles of one page, as URLs. */
export interface BuiltAssets {
  scripts: string[];
  styles: string[];
}

interface Chunk {
  file: string;
  css?: string[];
  imports?: string[];
  isEntry?: boolean;
}
type Manifest = Record<string, Chunk>;

const manifests = new Map<string, { mtimeMs: number; manifest: Manifest }>();

/** The Vite manifest of a build, read again only when the build changed. */
function readManifest(dist: string): Manifest | undefined {
  const file = path.join(dist, '.vite', 'manifest.json');
  try {
    const { mtimeMs } = fs.statSync(file);
    let cached = manifests.get(dist);
    if (cached?.mtimeMs !== mtimeMs) {
      cached = { mtimeMs, manifest: JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest };
      manifests.set(dist, cached);
    }
    return cached.manifest;
  } catch {
    return undefined;
  }
}

/**
 * The script and styles (its own and its imports') of the entry `pick` finds in the build in
 * `dist`, as URLs under `base`; undefined when nothing was built.
 */
export function builtAssets(dist: string, base: string, pick: (key: string, chunk: Chunk) => boolean): BuiltAssets | undefined {
  const manifest = readManifest(dist);
  if (!manifest) return undefined;
  const key = Object.keys(manifest).find((k) => pick(k, manifest[k]));
  if (!key) return undefined;
  const styles = new Set<string>();
  const visit = (name: string) => {
    const chunk = manifest[name];
    for (const css of chunk?.css ?? []) styles.add(`${base}${css}`);
    for (const imported of chunk?.imports ?? []) visit(imported);
  };
  visit(key);
  return { scripts: [`${base}${manifest[key].file}`], styles: [...styles] };
}

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * `GET <prefix>*`: the built files under `root`, of the types above only, never outside `root` nor
 * a dot-file; anything else is a 404 saying there is no such `what`.
 */
export function builtFileRoutes(
  app: FastifyInstance,
  options: { prefix: string; root: string; what: string; cacheControl: (relative: string) => string },
): void {
  defineRoute(
    app,
    { method: 'GET', url: `${options.prefix}*`, params: z.object({ '*': z.string() }), reply: rawReply },
    async ({ params, reply }) => {
      const relative = params['*'];
      const file = path.resolve(options.root, relative);
      const type = types[path.extname(file)];
      if (!type || !file.startsWith(`${options.root}${path.sep}`) || relative.split('/').some((part) => part.startsWith('.'))) {
        throw new ProblemError('not_found', `No such ${options.what}.`);
      }
      let body: Buffer;
      try {
        body = await fs.promises.readFile(file);
      } catch {
        throw new ProblemError('not_found', `No such ${options.what}.`);
      }
      return reply
        .type(type)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', options.cacheControl(relative))
        .send(body);
    },
  );
}
