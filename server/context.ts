import type { FastifyBaseLogger } from 'fastify';
import type { RelayConfig } from './config';
import type { RelayKeys } from './keys/loadKeys';
import type { PushSubscriptionJson } from '../shared/schemas/devices';
import type { SignInEventBus } from './signin/requests/SignInEventBus';
import type { ExpiryScheduler } from './signin/requests/createExpiryScheduler';
import type { Locator } from './location/locator';
import type { Storage } from './storage/Storage';

export type PushOutcome =
  | { outcome: 'delivered' }
  | { outcome: 'gone'; status: number }
  /** Not sent: after a wait, `stillWanted` said no. */
  | { outcome: 'dropped' }
  | { outcome: 'failed'; status?: number; error?: string };

/** Sends one encrypted, VAPID-signed Web Push message; never throws. */
export interface PushDelivery {
  send(
    subscription: PushSubscriptionJson,
    payload: string,
    options: {
      ttlSeconds: number;
      topic?: string;
      urgency?: 'very-low' | 'low' | 'normal' | 'high';
      /** Asked when the push had to wait: false drops it (its request ended meanwhile). */
      stillWanted?: () => boolean | Promise<boolean>;
    },
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
  /** Tells the desktop and the phones what happened to a request (in-process, or across relays). */
  events: SignInEventBus;
  /** Wakes for the nearest pending request's expiry; told of each new one. */
  expiry: Pick<ExpiryScheduler, 'schedule'>;
  push: PushDelivery;
  /** Where a caller's address is, in words (the phone shows it; audit records keep it). */
  locator: Locator;
}
