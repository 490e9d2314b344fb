/**
 * The largest size a relay's write-ahead log file reached, read from this process (a stat every
 * 25 ms) so the relay's own CPU clock is not disturbed. The file only shrinks when SQLite
 * truncates it, so short peaks between two reads are at most one checkpoint's worth apart.
 */
import fs from 'node:fs';

export function sampleWal(walFile: string, everyMs = 25): { stop(): number } {
  let peak = 0;
  const read = () => {
    try {
      peak = Math.max(peak, fs.statSync(walFile).size);
    } catch {
      // Not there yet (or deleted at close): nothing to count.
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop() {
      clearInterval(timer);
      read();
      return peak;
    },
  };
}
