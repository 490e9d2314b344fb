import { StorageUnavailableError, type StorageTroubleKind } from '../StorageUnavailableError';
import { classifyFileError } from '../classifyFileError';

/** SQLite's result codes (better-sqlite3 gives the extended ones, e.g. SQLITE_IOERR_WRITE), by prefix. */
const sqliteKinds: [prefix: string, kind: StorageTroubleKind][] = [
  ['SQLITE_FULL', 'full'],
  ['SQLITE_READONLY', 'read_only'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'cannot_open'],
  ['SQLITE_PERM', 'cannot_open'],
  ['SQLITE_NOTADB', 'cannot_open'],
  // Only after busy_timeout: another connection (an admin command, a backup) held the lock that long.
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
];

/**
 * The SQLite backend's side of the Storage contract: storage trouble (full, read-only, I/O error,
 * cannot open, locked past the timeout) becomes a StorageUnavailableError; anything else (a
 * constraint, a bug) is returned as it was.
 */
export function classifySqliteError(error: unknown): unknown {
  if (error instanceof StorageUnavailableError || !(error instanceof Error)) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  if (code.startsWith('SQLITE_')) {
    const match = sqliteKinds.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
    return match ? new StorageUnavailableError(match[1], code, { cause: error }) : error;
  }
  // Making the directory and setting the file's mode, before SQLite has it.
  return classifyFileError(error) ?? error;
}

/**
 * Why a call that was itself fine did not happen: its batch was not committed (see groupCommit).
 * That is always storage trouble for the caller — its kind when SQLite's error names one, an I/O
 * error otherwise.
 */
export function batchNotCommitted(error: unknown): StorageUnavailableError {
  const classified = classifySqliteError(error);
  if (classified instanceof StorageUnavailableError) return classified;
  const code = String((error as { code?: unknown } | undefined)?.code ?? 'SQLITE_ERROR');
  return new StorageUnavailableError('io', code, { cause: error });
}
