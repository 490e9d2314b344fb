/**
 * A data directory whose disk a test can fill and free while the relay runs on it.
 *
 * Where this process may mount file systems (root with CAP_SYS_ADMIN, as on CI and these
 * machines), it is a small tmpfs of its own: `fill()` writes a filler file until the kernel says
 * ENOSPC, so SQLite meets a real full disk (SQLITE_FULL at the commit, where better-sqlite3's
 * get() would hide it). Elsewhere it is a plain temporary directory and `fill()` makes every
 * SQLite statement of this process that changes rows fail with SQLITE_FULL and roll back, as a
 * full disk would — the same error reaches the relay, raised by the statement rather than its
 * commit (so there only the relay's answers are shown, not the get() trap).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface SmallDisk {
  dir: string;
  /** True for a real tmpfs; false for the simulated full disk. */
  real: boolean;
  /**
   * Leave no space. `db` is the relay's connection: its log is checkpointed and truncated first,
   * so the next commit needs new space (a log with room left would take a few more writes).
   */
  fill(db: Database.Database): void;
  free(): void;
  /** Make the file system read-only (real tmpfs only, with no file open for writing). */
  remountReadOnly(): void;
  dispose(): void;
}

function mountTmpfs(dir: string, sizeBytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let simulatedFull = false;
let patched = false;

/**
 * The simulated full disk: while `simulatedFull`, a statement that changes rows fails with
 * SQLITE_FULL and its changes are rolled back (to a savepoint around it); reads and writes that
 * change nothing go on, as on a real full disk.
 */
function patchStatements(): void {
  if (patched) return;
  patched = true;
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all']) {
    const original = proto[method];
    proto[method] = function (this: { readonly: boolean; database: Database.Database }, ...args: unknown[]) {
      if (!simulatedFull || this.readonly) return original.apply(this, args);
      const db = this.database;
      const changes = () => db.prepare('SELECT total_changes()').pluck().get() as number;
      const before = changes();
      db.exec('SAVEPOINT small_disk');
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (error) {
        db.exec('ROLLBACK TO small_disk; RELEASE small_disk');
        throw error;
      }
      if (changes() > before) {
        db.exec('ROLLBACK TO small_disk; RELEASE small_disk');
        throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      }
      db.exec('RELEASE small_disk');
      return result;
    };
  }
}

export function createSmallDisk(sizeBytes = 8 * 1024 * 1024): SmallDisk {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-small-disk-'));
  const real = mountTmpfs(dir, sizeBytes);
  const filler = path.join(dir, 'filler');
  return {
    dir,
    real,
    fill(db) {
      db.pragma('wal_checkpoint(TRUNCATE)');
      if (!real) {
        patchStatements();
        simulatedFull = true;
        return;
      }
      const fd = fs.openSync(filler, 'w');
      try {
        for (const chunk of [1024 * 1024, 4096, 512]) {
          const bytes = Buffer.alloc(chunk, 1);
          try {
            for (;;) fs.writeSync(fd, bytes);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      simulatedFull = false;
      fs.rmSync(filler, { force: true });
    },
    remountReadOnly() {
      if (!real) throw new Error('not a real tmpfs');
      execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' });
    },
    dispose() {
      simulatedFull = false;
      if (real) execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
