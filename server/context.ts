import type { FastifyBaseLogger } from 'fastify';
import type { RelayConfig } from './config';
import type { RelayKeys } from './keys/loadKeys';
import type { Storage } from './storage/Storage';

/** What every relay service needs, handed around explicitly rather than imported as globals. */
export interface RelayContext {
  config: RelayConfig;
  storage: Storage;
  keys: RelayKeys;
  log: FastifyBaseLogger;
  /** The clock, in milliseconds; tests may move it. */
  now: () => number;
}
