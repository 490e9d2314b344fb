import path from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The admin center, built to dist/admin and served by the relay under /admin/
 * (server/admin/center/). No inline script or style: the page runs under the hosted pages' strict
 * Content-Security-Policy (`script-src 'self'`, `style-src 'self'`).
 */
export default defineConfig({
  root: here,
  base: '/admin/',
  plugins: [preact()],
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: path.resolve(here, '../dist/admin'),
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      onLog(level, log, handler) {
        if (log.code === 'INVALID_ANNOTATION') return;
        handler(level, log);
      },
      input: { admin: path.resolve(here, 'entries/admin.tsx') },
    },
  },
});
