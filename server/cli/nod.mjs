#!/usr/bin/env node
// `npx nod …`: run the TypeScript CLI through tsx, which the relay runs on too.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tsx = path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'nodAdmin.ts');
const result = spawnSync(process.execPath, [tsx, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
