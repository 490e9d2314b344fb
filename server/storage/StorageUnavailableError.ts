/**
 * Why a store cannot do its work right now. Every backend maps its own errors onto these, the
 * same way (see `Storage`):
 *
 * | kind          | SQLite                               | PostgreSQL (SQLSTATE)                           | file system (start-up) |
 * | ------------- | ------------------------------------ | ----------------------------------------------- | ---------------------- |
 * | `full`        | SQLITE_FULL                          | 53100 disk_full                                 | ENOSPC, EDQUOT         |
 * | `read_only`   | SQLITE_READONLY*                     | 25006 read_only_sql_transaction                 | EROFS                  |
 * | `io`          | SQLITE_IOERR*                        | 58030 io_error, XX001 data_corrupted            | EIO                    |
 * | `cannot_open` | SQLITE_CANTOPEN*, _PERM, _NOTADB     | 28000/28P01 (credentials), 3D000 (no database)  | EACCES, EPERM, ENOTDIR |
 * | `busy`        | SQLITE_BUSY* (after busy_timeout)    | 55P03, 57014 (statement timeout), 53300         |                        |
 * | `unreachable` |                                      | class 08 (connection), 57P01–57P03 (shutdown)   |                        |
 * | `schema`      | user_version ≠ the migrations known  | schema version ≠ the migrations known           |                        |
 */
export type StorageTroubleKind = 'full' | 'read_only' | 'io' | 'cannot_open' | 'busy' | 'unreachable' | 'schema';

const descriptions: Record<StorageTroubleKind, string> = {
  full: 'no space left for the data',
  read_only: 'the data is read-only',
  io: 'an I/O error',
  cannot_open: 'the data cannot be opened',
  busy: 'the data stayed locked too long',
  unreachable: 'the database cannot be reached',
  schema: 'the data is not at the schema version this relay expects',
};

/** How long a client should wait before trying again, by kind. */
const retryAfterSeconds: Record<StorageTroubleKind, number> = {
  full: 30,
  read_only: 30,
  io: 30,
  cannot_open: 30,
  busy: 2,
  unreachable: 5,
  schema: 60,
};

/**
 * Part of the Storage contract: a backend throws this, and only this, when the store cannot do
 * the work for a reason that is not the caller's and not a bug — a full or read-only disk, an I/O
 * error, a store it cannot open or reach, a lock held past the wait limit. Nothing was written
 * (each Storage method is one atomic unit). The relay answers `503` with `Retry-After`, reports
 * it on `/health/ready`, logs it once per period, and carries on: the next call tries again, so
 * the relay recovers by itself when the store does. Anything else a backend throws is a bug (500).
 */
export class StorageUnavailableError extends Error {
  /** e.g. `SQLITE_FULL`, `ENOSPC`, `53100`: what the backend said, for the log. */
  readonly backendCode: string;
  constructor(
    readonly kind: StorageTroubleKind,
    backendCode: string,
    options: { cause?: unknown; detail?: string } = {},
  ) {
    super(`${options.detail ?? descriptions[kind]} (${backendCode})`, { cause: options.cause });
    this.name = 'StorageUnavailableError';
    this.backendCode = backendCode;
  }

  get retryAfterSeconds(): number {
    return retryAfterSeconds[this.kind];
  }
}
