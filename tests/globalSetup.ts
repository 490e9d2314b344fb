/**
 * Vitest globalSetup of the `nod` project: before any test file runs, build what the end-to-end tests
 * load (tests/helpers/builds.ts) and is missing or older than its sources — once per run, one build
 * at a time, so test files running in parallel never build or wait for each other. A run that selects
 * no end-to-end test file builds nothing.
 */
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { builds, isCurrent, repoRoot } from './helpers/builds';

const e2eDir = path.join(repoRoot, 'tests/e2e') + path.sep;

async function selectsEndToEndTests(project: TestProject): Promise<boolean> {
  // The file filters given on the command line (`vitest run tests/unit/x`), if any.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  if (!filters?.length) return true;
  const { testFiles } = await project.globTestFiles(filters);
  return testFiles.some((file) => file.startsWith(e2eDir));
}

export default async function setup(project: TestProject): Promise<void> {
  if (!(await selectsEndToEndTests(project))) return;
  for (const build of builds) {
    if (isCurrent(build)) continue;
    const started = Date.now();
    build.run();
    console.log(`built ${build.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
