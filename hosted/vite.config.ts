import path from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The hosted pages (the relay's sign-in page, My Sign-ins, plain pages), built to dist/hosted and
 * served by the relay under /pages/ (server/pages/staticRoutes.ts). No inline script or style anywhere: the pages run under a
 * strict Content-Security-Policy (`script-src 'self'`, `style-src 'self'`).
 */
export default defineConfig({
  root: here,
  base: '/pages/',
  plugins: [preact()],
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: path.resolve(here, '../dist/hosted'),
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      // zod's own /* @__PURE__ */ comments confuse Rollup harmlessly: keep the build output quiet.
      onLog(level, log, handler) {
        if (log.code === 'INVALID_ANNOTATION') return;
        handler(level, log);
      },
      input: {
        signIn: path.resolve(here, 'entries/signIn.tsx'),
        mySignIns: path.resolve(here, 'entries/mySignIns.tsx'),
        findOrganization: path.resolve(here, 'entries/findOrganization.tsx'),
        plain: path.resolve(here, 'entries/plain.ts'),
      },
    },
  },
});
