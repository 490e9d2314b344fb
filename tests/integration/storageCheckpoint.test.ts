import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { checkpointInBackground } from '../../server/storage/sqlite/checkpointInBackground';
import { openDatabase } from '../../server/storage/sqlite/openDatabase';

it('the write-ahead log is copied back by a worker thread, not by the relay’s event loop', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-wal-'));
  const file = path.join(dir, 'nod.sqlite');
  const db = openDatabase(file);
  const checkpoints = checkpointInBackground(db, file, 50);
  try {
    // Automatic checkpoints (which would run here, on the main thread) are off.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const done = new Promise<{ log: number; checkpointed: number }>((resolve) => checkpoints.onCheckpoint(resolve));
    const insert = db.prepare("INSERT INTO audit_events (id, tenant_id, at, type, outcome) VALUES (?, 't', 0, 'x', 'y')");
    for (let i = 0; i < 200; i++) insert.run(`e${i}`);
    const result = await done;
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
  } finally {
    await checkpoints.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
