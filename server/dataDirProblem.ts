import { StorageUnavailableError } from './storage/StorageUnavailableError';
import { classifyFileError } from './storage/classifyFileError';

/**
 * The line a start on an unusable data directory (missing permissions, read-only, full) prints
 * before exiting with code 2, as a bad setting does: it names NOD_DATA_DIR and the cause.
 * Undefined when the error is something else.
 */
export function dataDirProblem(error: unknown, dataDir: string): string | undefined {
  const trouble = error instanceof StorageUnavailableError ? error : classifyFileError(error);
  return trouble ? `NOD_DATA_DIR: ${dataDir} cannot be used: ${trouble.message}` : undefined;
}
