import { StorageUnavailableError, type StorageTroubleKind } from './StorageUnavailableError';

/** What the file system says when a data directory cannot be made, opened or written. */
const fileKinds: Record<string, [StorageTroubleKind, string]> = {
  ENOSPC: ['full', 'no space left on the device'],
  EDQUOT: ['full', 'the disk quota is used up'],
  EROFS: ['read_only', 'a read-only file system'],
  EIO: ['io', 'an I/O error'],
  EACCES: ['cannot_open', 'permission denied'],
  EPERM: ['cannot_open', 'operation not permitted'],
  ENOTDIR: ['cannot_open', 'a part of the path is not a directory'],
  EISDIR: ['cannot_open', 'a directory is where a file should be'],
};

/** A file-system error (ENOSPC, EROFS, EACCES, …) as storage trouble; undefined for anything else. */
export function classifyFileError(error: unknown): StorageUnavailableError | undefined {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const known = fileKinds[code];
  return known ? new StorageUnavailableError(known[0], code, { cause: error, detail: known[1] }) : undefined;
}
