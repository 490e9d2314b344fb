/**
 * The relay serves its pages from dist/pages (`npm run build:pages`). End-to-end tests build
 * them when the build is missing or older than the sources, once for all test files running in
 * parallel (a lock directory makes the others wait).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const manifest = path.join(root, 'dist/pages/.vite/manifest.json');
const lock = path.join(root, 'dist/.pages-build-lock');
const sources = [path.join(root, 'server/pages'), path.join(root, 'shared')];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

const fresh = () => {
  try {
    return fs.statSync(manifest).mtimeMs >= Math.max(...sources.map(newestSource));
  } catch {
    return false;
  }
};

export async function ensurePagesBuilt(): Promise<void> {
  for (let waited = 0; !fresh(); waited += 200) {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    let mine = false;
    try {
      fs.mkdirSync(lock);
      mine = true;
    } catch {
      // someone else is building: a lock older than two minutes is a crashed build
      if (Date.now() - fs.statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true });
    }
    if (mine) {
      try {
        if (!fresh()) {
          execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'server/pages/vite.config.ts'], {
            cwd: root,
            stdio: 'pipe',
          });
        }
      } finally {
        fs.rmSync(lock, { recursive: true, force: true });
      }
      return;
    }
    if (waited > 120_000) throw new Error('gave up waiting for the pages build');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
