/**
 * The extension's builds: the Chrome manifest asks for no host at install (optional host permissions
 * only, no <all_urls>, no static content script), and the Firefox build passes Mozilla's add-on linter
 * with no errors. The Chrome build is the release build in dist/extension (made before the tests:
 * tests/helpers/builds.ts); the Firefox build is made here, into a directory of its own.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { chromeExtensionDir, repoRoot } from '../helpers/builds';

const run = promisify(execFile);
const firefoxOut = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-extension-firefox-'));
afterAll(() => fs.rmSync(firefoxOut, { recursive: true, force: true }));

const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

describe('extension builds', () => {
  it('Chrome MV3: only the permissions the README lists, no host granted at install', async () => {
    const dir = chromeExtensionDir;
    const manifest = manifestOf(dir);
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.permissions.sort()).toEqual(['activeTab', 'notifications', 'scripting', 'storage']);
    expect(manifest.host_permissions ?? []).toEqual([]);
    expect(manifest.optional_host_permissions).toEqual(['https://*/*', 'http://*/*']);
    expect(manifest.content_scripts ?? []).toEqual([]);
    expect(manifest.externally_connectable).toBeUndefined();
    // One page is web-accessible: the sign-in panel's content, framed inside sign-in pages, where the
    // extension may act, and only under Chrome's per-session URL (pages cannot probe for the extension).
    expect(manifest.web_accessible_resources).toEqual([
      { resources: ['panel.html'], matches: ['https://*/*', 'http://*/*'], use_dynamic_url: true },
    ]);
    expect(JSON.stringify(manifest)).not.toContain('<all_urls>');
    expect(fs.existsSync(path.join(dir, 'nod-page.js'))).toBe(true);
    // No eval or Function constructor in what ships.
    for (const file of fs.readdirSync(dir, { recursive: true }) as string[]) {
      if (!file.endsWith('.js')) continue;
      const code = fs.readFileSync(path.join(dir, file), 'utf8');
      expect(code, file).not.toMatch(/\beval\(|new Function\(/);
    }
  });

  it('Firefox MV3 passes the Mozilla add-on linter with no errors', async () => {
    await run(process.execPath, [path.join(repoRoot, 'node_modules/wxt/bin/wxt.mjs'), 'build', '-b', 'firefox'], {
      cwd: repoRoot,
      env: { ...process.env, NOD_EXTENSION_OUT_DIR: firefoxOut, NOD_EXTENSION_TEST_HOSTS: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const dir = path.join(firefoxOut, 'firefox-mv3');
    expect(manifestOf(dir).browser_specific_settings.gecko.id).toBe('nod@nod.invalid');
    expect(manifestOf(dir).web_accessible_resources).toEqual([{ resources: ['panel.html'], matches: ['https://*/*', 'http://*/*'] }]);
    const linter = path.resolve('node_modules/addons-linter/bin/addons-linter');
    const { stdout } = await run(process.execPath, [linter, '--output', 'json', dir], { maxBuffer: 32 * 1024 * 1024 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    const report = JSON.parse(stdout);
    expect(report.errors, JSON.stringify(report.errors, null, 2)).toEqual([]);
  }, 120_000);
});
