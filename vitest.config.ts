import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // The relay checks every answer against its schema in shared/schemas (server/http/defineRoute.ts).
    env: { NOD_CHECK_ANSWERS: '1' },
    projects: [
      {
        extends: true,
        test: {
          name: 'nod',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/unit/extension*.test.ts', '**/node_modules/**'],
          // Builds what the end-to-end tests load, once, before any file runs (see tests/helpers/builds.ts).
          globalSetup: ['tests/globalSetup.ts'],
        },
      },
      // The extension's unit tests run with WXT's fakeBrowser (see extension/vitest.config.ts).
      'extension/vitest.config.ts',
    ],
  },
});
