/**
 * Build the phone app into dist/pwa: the Vite build of the app, then the service worker bundled
 * on its own (one classic script, no imports) with Workbox's precache manifest injected, so the
 * app shell starts offline. Run: `npm run build:pwa`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { injectManifest } from 'workbox-build';
import { quietLogs } from './vite.config';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '../dist/pwa');

/** The initial JavaScript should stay small (Preact): aim under this much gzip. */
export const initialScriptBudgetKiB = 60;

/** Gzip size of the scripts index.html loads before the app can start. */
export function initialScriptGzipBytes(dir: string): number {
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="\/app\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  return scripts.reduce((total, file) => total + gzipSync(fs.readFileSync(path.join(dir, file))).length, 0);
}

async function main(): Promise<void> {
  await build({ configFile: path.join(here, 'vite.config.ts'), logLevel: 'warn' });

  const swTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-sw-'));
  try {
    await build({
      configFile: false,
      logLevel: 'warn',
      root: here,
      publicDir: false,
      // Workbox reads process.env.NODE_ENV to drop its development logging.
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: {
        outDir: swTemp,
        emptyOutDir: true,
        target: 'es2022',
        reportCompressedSize: false,
        rollupOptions: { onLog: quietLogs },
        lib: { entry: path.join(here, 'sw/sw.ts'), formats: ['iife'], name: 'nodServiceWorker', fileName: () => 'sw.js' },
      },
    });
    const { count, size, warnings } = await injectManifest({
      swSrc: path.join(swTemp, 'sw.js'),
      swDest: path.join(outDir, 'sw.js'),
      globDirectory: outDir,
      globPatterns: ['**/*.{html,js,css,webmanifest,png,svg}'],
      globIgnores: ['sw.js'],
      // Vite names these by content hash already.
      dontCacheBustURLsMatching: /^assets\//,
    });
    for (const warning of warnings) console.warn(warning);
    const initialKiB = initialScriptGzipBytes(outDir) / 1024;
    console.log(
      `pwa: built ${path.relative(process.cwd(), outDir)}: initial JavaScript ${initialKiB.toFixed(1)} KiB gzip` +
        `${initialKiB > initialScriptBudgetKiB ? ` (over the ${initialScriptBudgetKiB} KiB budget)` : ''}; ` +
        `the service worker precaches ${count} files (${Math.round(size / 1024)} KiB)`,
    );
  } finally {
    fs.rmSync(swTemp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
