import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

/**
 * The Nod browser extension (extension/). Build: `npm run build:extension` → dist/extension/chrome-mv3,
 * `npm run build:extension:firefox` → dist/extension/firefox-mv3.
 *
 * NOD_EXTENSION_TEST_HOSTS (tests only): extra host_permissions baked into a test build, because a
 * test cannot click the browser's permission prompt. Release builds never set it.
 */
const testHosts = (process.env.NOD_EXTENSION_TEST_HOSTS ?? '').split(',').filter(Boolean);
/** Where builds go; tests build into their own directory so they never overwrite a release build. */
const outDir = process.env.NOD_EXTENSION_OUT_DIR ?? 'dist/extension';

export default defineConfig({
  srcDir: 'extension',
  entrypointsDir: 'entrypoints',
  publicDir: 'extension/public',
  outDir,
  outDirTemplate: '{{browser}}-mv{{manifestVersion}}',
  // Explicit imports only: a reader sees where every name comes from.
  imports: false,
  modules: ['@wxt-dev/webextension-polyfill'],
  manifestVersion: 3,
  vite: () => ({
    plugins: [preact()],
    build: { sourcemap: false },
  }),
  manifest: ({ browser }) => ({
    name: 'Nod',
    description: 'Passwordless phone sign-in: verifies Nod sign-in pages and shows the number to match on your phone.',
    // See extension/README.md for why each permission is needed.
    permissions: ['storage', 'scripting', 'notifications', 'activeTab'],
    // Asked at run time for one relay (or site) at a time; nothing is granted at install.
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    ...(testHosts.length ? { host_permissions: testHosts } : {}),
    // One page only, the sign-in panel's content, which the page UI frames inside the sign-in page so
    // that page scripts cannot read the number (extension/README.md). Only where the extension may act
    // (its optional host permissions); in Chrome only under a per-session URL, so no page can probe for
    // the extension by its id. Firefox's extension URLs are already random per installation.
    web_accessible_resources: [
      {
        resources: ['panel.html'],
        matches: ['https://*/*', 'http://*/*'],
        ...(browser === 'firefox' ? {} : { use_dynamic_url: true }),
      },
    ],
    action: { default_title: 'Nod' },
    // What an organization may pre-set (storage.managed): Chrome reads its policy's schema here; Firefox
    // takes the same settings from policies.json (3rdparty.Extensions), without a schema in the manifest.
    ...(browser === 'firefox' ? {} : { storage: { managed_schema: 'managed_schema.json' } }),
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'nod@nod.invalid',
              // 140 (ESR): the first release that reads data_collection_permissions.
              strict_min_version: '140.0',
              data_collection_permissions: { required: ['none'] },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : { minimum_chrome_version: '116' }),
  }),
});
