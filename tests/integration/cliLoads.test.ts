/**
 * `nod admin` starts fast because it loads only what its command needs: the admin API, not the
 * sign-in, enrollment, page or provider code, and only the storage driver it uses. Checked on the
 * modules a real run loads (a loader hook lists them), so a new static import that drags the whole
 * relay in again fails here.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFor } from '../../server/config';
import { createApp } from '../../server/createApp';
import { createTenant } from '../../server/tenants/createTenant';
import { repoRoot } from '../helpers/builds';
import { envWith, tempDirs } from '../helpers/processes';

const tempDir = tempDirs('nod-cli-loads-');

/** Reports each module file and package Node loads, one `LOAD <url>` line on stderr each. */
const listLoads = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  'export async function load(url, context, next) { process.stderr.write("LOAD " + url + "\\\\n"); return next(url, context); }'
));
`)}`;

/** The modules `nod admin <args>` loads on a data directory, as paths from the repository (packages by name). */
function loadsOf(dataDir: string, args: string[]): Promise<{ code: number; loaded: string[] }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', listLoads, path.join(repoRoot, 'server/cli/nodAdmin.ts'), 'admin', ...args],
      { cwd: repoRoot, env: envWith({ NOD_DATA_DIR: dataDir }) },
      (error, _stdout, stderr) => {
        const loaded = stderr
          .split('\n')
          .filter((line) => line.startsWith('LOAD file://'))
          .map((line) => {
            const file = line.slice('LOAD file://'.length);
            const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
            return pkg ? `package:${pkg[1]}` : path.relative(repoRoot, file);
          });
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, loaded: [...new Set(loaded)] });
      },
    );
  });
}

describe('nod admin loads only what its command needs', () => {
  it('a simple command on SQLite loads the admin API and SQLite: no sign-in, page or provider code, no pg', {
    timeout: 120_000,
  }, async () => {
    const dataDir = tempDir();
    const { app, ctx } = await createApp(configFor({ dataDir }));
    await createTenant(ctx, { name: 'contoso', displayName: 'Contoso', signInOrigins: [] });
    await app.close();

    const { code, loaded } = await loadsOf(dataDir, ['user', 'list', 'contoso']);
    expect(code).toBe(0);
    // It did run the admin API on SQLite (so the list below is of a real run).
    expect(loaded).toEqual(expect.arrayContaining(['server/admin/adminRoutes.ts', 'package:better-sqlite3']));
    const unwanted = loaded.filter(
      (file) =>
        /^server\/(signin\/signInRoutes|enrollment\/enrollmentRoutes|oidc\/|pages\/|static\/|storage\/postgres\/)/.test(file) ||
        ['package:pg', 'package:oidc-provider', 'package:@simplewebauthn/server'].includes(file),
    );
    expect(unwanted).toEqual([]);
  });
});
