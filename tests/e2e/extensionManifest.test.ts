/**
 * The extension's builds: the Chrome manifest asks for no host at install (optional host permissions
 * only, no <all_urls>, no static content script), and the Firefox build passes Mozilla's add-on linter
 * with no errors.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestExtension } from './extensionSupport';

const run = promisify(execFile);
const built: string[] = [];
afterAll(() => {
  for (const dir of built) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

describe('extension builds', () => {
  it('Chrome MV3: only the permissions the README lists, no host granted at install', async () => {
    const dir = await buildTestExtension({ browser: 'chrome' });
    built.push(dir);
    const manifest = manifestOf(dir);
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.permissions.sort()).toEqual(['activeTab', 'notifications', 'scripting', 'storage']);
    expect(manifest.host_permissions ?? []).toEqual([]);
    expect(manifest.optional_host_permissions).toEqual(['https://*/*', 'http://*/*']);
    expect(manifest.content_scripts ?? []).toEqual([]);
    expect(manifest.externally_connectable).toBeUndefined();
    expect(manifest.web_accessible_resources ?? []).toEqual([]);
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
    const dir = await buildTestExtension({ browser: 'firefox' });
    built.push(dir);
    expect(manifestOf(dir).browser_specific_settings.gecko.id).toBe('nod@nod.invalid');
    const linter = path.resolve('node_modules/addons-linter/bin/addons-linter');
    const { stdout } = await run(process.execPath, [linter, '--output', 'json', dir], { maxBuffer: 32 * 1024 * 1024 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    const report = JSON.parse(stdout);
    expect(report.errors, JSON.stringify(report.errors, null, 2)).toEqual([]);
  }, 120_000);
});
