import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { RelayContext } from '../context';
import { defineRoute, rawReply } from '../http/defineRoute';
import { ProblemError } from '../http/problem';

/** Where `npm run build:pwa` puts the phone app. */
const defaultPwaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/pwa');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The app may talk to its own origin only (the relay) and load nothing from anywhere else.
 * Camera frames (QR scanning) are media streams, not network loads.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "media-src 'self' blob: mediastream:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serve the built phone app under /app/ at the relay's own origin, so WebAuthn's RP ID is the
 * relay's host and the app's API calls are same-origin. Vite's hashed assets are cached for
 * good; the page, the manifest and the service worker are revalidated on every load so an
 * update is seen at once (the service worker then offers "Reload").
 */
export function pwaRoutes(app: FastifyInstance, ctx?: RelayContext, options: { dir?: string } = {}): void {
  const root = path.resolve(options.dir ?? ctx?.config.pwaDir ?? defaultPwaDir);

  defineRoute(app, { method: 'GET', url: '/app', reply: rawReply }, async ({ reply }) => reply.redirect('/app/', 308));
  defineRoute(
    app,
    { method: 'GET', url: '/app/*', params: z.object({ '*': z.string() }), reply: rawReply },
    async ({ params, request, reply }) => {
      const relative = params['*'] || 'index.html';
      const file = resolveInside(root, relative);
      if (!file) throw new ProblemError('not_found', `Nothing is at /app/${relative}.`);
      let stat: Awaited<ReturnType<typeof fs.stat>>;
      try {
        stat = await fs.stat(file);
        if (!stat.isFile()) throw new Error('not a file');
      } catch {
        const built = await fs.stat(path.join(root, 'index.html')).then(
          () => true,
          () => false,
        );
        throw new ProblemError(
          'not_found',
          built ? `Nothing is at /app/${relative}.` : 'The phone app is not built on this relay: run `npm run build:pwa`.',
        );
      }
      const etag = `"${createHash('sha1').update(`${stat.size}:${stat.mtimeMs}`).digest('base64url')}"`;
      setHeaders(reply, relative, etag);
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.send(await fs.readFile(file));
    },
  );
}

/** The file under root that a URL path names, or undefined when it would step outside or is hidden. */
function resolveInside(root: string, relative: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).some((part) => part.startsWith('.'))) return undefined;
  const file = path.resolve(root, decoded);
  return file.startsWith(root + path.sep) ? file : undefined;
}

function setHeaders(reply: FastifyReply, relative: string, etag: string): void {
  const extension = path.extname(relative).toLowerCase();
  reply.header('content-type', contentTypes[extension] ?? 'application/octet-stream');
  reply.header('etag', etag);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (extension === '.html') {
    reply.header('content-security-policy', contentSecurityPolicy);
    reply.header('permissions-policy', 'camera=(self), microphone=(), geolocation=()');
  }
}
