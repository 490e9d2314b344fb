import path from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { type Rollup, defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Dependencies' own noise (zod's unplaceable `@__PURE__` comments, their internal import cycles) says nothing about Nod. */
export function quietLogs(level: Rollup.LogLevel, log: Rollup.RollupLog, handler: Rollup.LogOrStringHandler): void {
  if (log.code === 'INVALID_ANNOTATION') return;
  if (log.code === 'CIRCULAR_DEPENDENCY' && log.ids?.every((id) => id.includes('/node_modules/'))) return;
  handler(level, log);
}

/**
 * The phone app, served by the relay under /app/ (same origin: WebAuthn's RP ID is the relay's
 * host and API calls need no CORS). `npm run build:pwa` also builds the service worker.
 */
export default defineConfig({
  root: here,
  base: '/app/',
  plugins: [preact()],
  build: {
    outDir: path.resolve(here, '../dist/pwa'),
    emptyOutDir: true,
    target: 'es2022',
    // Icons stay files: the manifest and the notifications point at them by URL.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: { onLog: quietLogs },
  },
});
