import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Unit tests of the extension's background and content logic (tests/unit/extension*.test.ts), with
 * WXT's fakeBrowser standing in for `browser` (`wxt/browser` is aliased to it). The root
 * vitest.config.ts lists this file as a project, so `vitest run` at the root runs these too.
 */
export default defineProject({
  root,
  plugins: [WxtVitest({ root })],
  test: {
    name: 'extension',
    root,
    include: ['tests/unit/extension*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
