/**
 * What the tests need built, and whether a build is current. One mechanism for every test file:
 * `npm test` runs `npm run build` (hosted pages, admin center, phone app, Chrome extension) before Vitest, and Vitest's
 * globalSetup (tests/globalSetup.ts) builds, once per run, whatever is still missing or older than
 * its sources — the end-to-end test build of the extension and the Firefox build always, and everything when someone runs
 * `npx vitest run tests/e2e/x.test.ts` by itself. Test files never build.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The hosts baked into the end-to-end test build of the extension as required host permissions
 * (NOD_EXTENSION_TEST_HOSTS): a test cannot click the browser's permission prompt, and a permission
 * the manifest already grants makes `permissions.request` resolve at once, so the options page runs its
 * ordinary path. http://localhost/* stands for the relay's origin; http://127.0.0.1/* for the person
 * having turned on look-alike protection on every site.
 */
export const testExtensionHosts = ['http://localhost/*', 'http://127.0.0.1/*'];

/** The end-to-end test build of the extension, apart from the release build in dist/extension. */
export const testExtensionDir = path.join(repoRoot, 'dist/extension-e2e/chrome-mv3');

/** The release build of the Chrome extension (`npm run build:extension`). */
export const chromeExtensionDir = path.join(repoRoot, 'dist/extension/chrome-mv3');

/**
 * The release build of the Firefox extension (`npm run build:extension:firefox`), which the Firefox
 * end-to-end test loads as it is: its permissions come through its own flow (tests/e2e/firefoxSupport.ts).
 */
export const firefoxExtensionDir = path.join(repoRoot, 'dist/extension/firefox-mv3');

export interface Build {
  name: string;
  /** A file the build writes: the build is current when it is newer than every source. */
  output: string;
  sources: string[];
  /** Anything else the output must satisfy to count as current. */
  matches?: () => boolean;
  run(): void;
}

const npmRun =
  (script: string, env: Record<string, string> = {}) =>
  () => {
    execFileSync('npm', ['run', '--silent', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...env },
    });
  };

const at = (...parts: string[]) => parts.map((part) => path.join(repoRoot, part));

/** In the order they are built. */
export const builds: Build[] = [
  {
    name: 'hosted pages (dist/hosted)',
    output: path.join(repoRoot, 'dist/hosted/.vite/manifest.json'),
    sources: at('hosted', 'shared'),
    run: npmRun('build:hosted'),
  },
  {
    name: 'admin center (dist/admin)',
    output: path.join(repoRoot, 'dist/admin/.vite/manifest.json'),
    sources: at('admin', 'shared'),
    run: npmRun('build:admin'),
  },
  {
    name: 'phone app (dist/pwa)',
    output: path.join(repoRoot, 'dist/pwa/sw.js'),
    sources: at('pwa', 'shared'),
    run: npmRun('build:pwa'),
  },
  {
    name: 'Chrome extension (dist/extension/chrome-mv3)',
    output: path.join(chromeExtensionDir, 'manifest.json'),
    sources: at('extension', 'shared', 'wxt.config.ts'),
    run: npmRun('build:extension'),
  },
  {
    name: 'Firefox extension (dist/extension/firefox-mv3)',
    output: path.join(firefoxExtensionDir, 'manifest.json'),
    sources: at('extension', 'shared', 'wxt.config.ts'),
    // A test build's extra host permissions must never be what the Firefox test runs with.
    matches: () => !JSON.parse(fs.readFileSync(path.join(firefoxExtensionDir, 'manifest.json'), 'utf8')).host_permissions,
    run: npmRun('build:extension:firefox'),
  },
  {
    name: 'extension test build (dist/extension-e2e/chrome-mv3)',
    output: path.join(testExtensionDir, 'manifest.json'),
    sources: at('extension', 'shared', 'wxt.config.ts'),
    matches: () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(testExtensionDir, 'manifest.json'), 'utf8'));
      return JSON.stringify(manifest.host_permissions ?? []) === JSON.stringify(testExtensionHosts);
    },
    run: npmRun('build:extension', {
      NOD_EXTENSION_OUT_DIR: path.dirname(testExtensionDir),
      NOD_EXTENSION_TEST_HOSTS: testExtensionHosts.join(','),
    }),
  },
];

function newestIn(file: string): number {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(file)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestIn(path.join(file, entry)));
  }
  return newest;
}

export function isCurrent(build: Build): boolean {
  const built = fs.statSync(build.output, { throwIfNoEntry: false });
  if (!built || built.mtimeMs < Math.max(...build.sources.map(newestIn))) return false;
  try {
    return build.matches?.() ?? true;
  } catch {
    return false;
  }
}
