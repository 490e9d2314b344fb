import { StorageUnavailableError, type StorageTroubleKind } from '../StorageUnavailableError';

/** SQLSTATEs of storage trouble (see the table in StorageUnavailableError); class 08 is all `unreachable`. */
const sqlStates: Record<string, StorageTroubleKind> = {
  '53100': 'full',
  '25006': 'read_only',
  '58030': 'io',
  XX001: 'io',
  '28000': 'cannot_open',
  '28P01': 'cannot_open',
  '3D000': 'cannot_open',
  '55P03': 'busy',
  '57014': 'busy',
  '53300': 'busy',
  '57P01': 'unreachable',
  '57P02': 'unreachable',
  '57P03': 'unreachable',
};

/** What Node's sockets say when the server is not there, or went away. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** The driver's own words for a connection lost or never made (it gives them no code). */
const lostConnection =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly)/;

/**
 * The PostgreSQL backend's side of the Storage contract: storage trouble (a full disk, a server
 * that is read-only, down, unreachable or refuses our credentials, a lock or statement past its
 * limit) becomes a StorageUnavailableError; anything else (a constraint, a bug) is returned as it was.
 */
export function classifyPostgresError(error: unknown): unknown {
  if (error instanceof StorageUnavailableError || !(error instanceof Error)) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  const kind = sqlStates[code] ?? (/^08/.test(code) ? 'unreachable' : socketCodes.has(code) ? 'unreachable' : undefined);
  if (kind) return new StorageUnavailableError(kind, code, { cause: error });
  if (lostConnection.test(error.message)) return new StorageUnavailableError('unreachable', 'connection', { cause: error });
  return error;
}
