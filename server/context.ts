import type { FastifyBaseLogger } from 'fastify';
import type { RelayConfig } from './config';
import type { RelayKeys } from './keys/loadKeys';
import type { PushSubscriptionJson } from '../shared/schemas/devices';
import type { SignInEvents } from './signin/signInEvents';
import type { Storage } from './storage/Storage';

export type PushOutcome =
  | { outcome: 'delivered' }
  | { outcome: 'gone'; status: number }
  | { outcome: 'failed'; status?: number; error?: string };

/** Sends one encrypted, VAPID-signed Web Push message; never throws. */
export interface PushDelivery {
  send(
    subscription: PushSubscriptionJson,
    payload: string,
    options: { ttlSeconds: number; topic?: string; urgency?: 'very-low' | 'low' | 'normal' | 'high' },
  ): Promise<PushOutcome>;
}

/** What every relay service needs, handed around explicitly rather than imported as globals. */
export interface RelayContext {
  config: RelayConfig;
  storage: Storage;
  keys: RelayKeys;
  log: FastifyBaseLogger;
  /** The clock, in milliseconds; tests may move it. */
  now: () => number;
  /** Live fan-out of request states and device events. */
  events: SignInEvents;
  push: PushDelivery;
}
