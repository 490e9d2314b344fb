import type { RequestStatus } from '../../../shared/schemas/signInRequests';

/**
 * A request's status changed: the status it was stored with, and for a `pending` request that a
 * phone acknowledged it, `delivered`. A request's states follow one order (pending and sent,
 * pending and delivered, one ending, redeemed), so a subscriber can build what it sends from an
 * ending, `redeemed` or a delivered `pending` without reading storage again, ignoring one that
 * comes twice, late or out of order. A `pending` event without `delivered` says only "something
 * may have changed" (the bus's own resync uses it): the subscriber reads storage.
 */
export interface RequestEvent {
  requestId: string;
  status: RequestStatus;
  delivered?: boolean;
}

/**
 * Something for one device's live channel: a request it may show (`offered`), or one that ended
 * (`closed`). Ids and status only: the subscriber reads the request and builds the device's view.
 * `accounts`: what the phone shows of its accounts changed at the relay (a method removed, the
 * user disabled or at risk, the policy saved): the phone reads its accounts again.
 * `resync` comes from the bus itself after it may have lost notices: the device must read its
 * whole list again.
 */
export type DeviceNotice =
  | { type: 'offered'; requestId: string }
  | { type: 'closed'; requestId: string; status: RequestStatus }
  | AccountsNotice
  | { type: 'resync' };

/** The accounts of a device (or of every device of a tenant) changed: read them again. */
export interface AccountsNotice {
  type: 'accounts';
}

/**
 * How the relay tells whoever waits: the collector watching one request, and the phones listening
 * on their live channel. Events are small (ids and status, never a secret or the number) so that
 * an implementation across processes (PostgreSQL LISTEN/NOTIFY) can carry them as they are.
 *
 * The contract every implementation keeps:
 * - `publish*` resolves once the event is handed on (for a cross-process bus: sent, or already
 *   sent by the database when the change it announces committed, as the PostgreSQL bus's request
 *   events are); it is called only after that change is stored, so a subscriber that reads
 *   storage sees it;
 * - a subscriber is called for every event published after `subscribe*` returned, possibly more
 *   than once, never concurrently with itself by the bus; it must not throw;
 * - a bus that may lose events (a dropped connection) calls, once it recovers, each request
 *   subscriber with a `pending` event without `delivered` for its request (the subscriber reads storage again)
 *   and each device subscriber with `resync`.
 */
export interface SignInEventBus {
  publishRequest(event: RequestEvent): Promise<void>;
  publishDevice(deviceId: string, notice: DeviceNotice): Promise<void>;
  /**
   * To every device of the tenant listening on any relay (the tenant's policy changed). Each relay
   * hands it to its own subscribers paced (a few hundred a second), so a large tenant's phones do
   * not all read their accounts in the same instant.
   */
  publishTenant(tenantId: string, notice: AccountsNotice): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribeRequest(requestId: string, listener: (event: RequestEvent) => void): () => void;
  /** Returns the unsubscribe function. */
  subscribeDevice(deviceId: string, listener: (notice: DeviceNotice) => void): () => void;
  /** A device's channel also hears its tenant's notices. Returns the unsubscribe function. */
  subscribeTenant(tenantId: string, listener: (notice: AccountsNotice) => void): () => void;
  /** How many subscribers this process holds (for tests and benchmarks). */
  readonly listenerCount: number;
}
