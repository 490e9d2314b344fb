import path from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { type UserConfig, defineConfig } from 'vite';

/**
 * The Vite configuration of a set of pages the relay serves (hosted/ under /pages/, admin/ under
 * /admin/): Preact, built to dist/<folder> with a manifest the relay reads to find each entry's
 * files. No inline script or style anywhere (`assetsInlineLimit: 0`, no module-preload polyfill):
 * the pages run under a strict Content-Security-Policy (`script-src 'self'`, `style-src 'self'`).
 */
export function pagesViteConfig(options: {
  /** The folder's config file's `import.meta.url`. */
  configUrl: string;
  /** Where the relay serves the built files, e.g. `/pages/`. */
  base: string;
  /** The entries, by name, as paths from the folder. */
  input: Record<string, string>;
}): UserConfig {
  const here = path.dirname(fileURLToPath(options.configUrl));
  return defineConfig({
    root: here,
    base: options.base,
    plugins: [preact()],
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir: path.resolve(here, '../dist', path.basename(here)),
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
        input: Object.fromEntries(Object.entries(options.input).map(([name, file]) => [name, path.resolve(here, file)])),
      },
    },
  });
}
