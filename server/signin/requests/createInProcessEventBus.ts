import type { AccountsNotice, DeviceNotice, RequestEvent, SignInEventBus } from './SignInEventBus';
import { createFanOutPacer } from './createFanOutPacer';

type Listener<T> = (event: T) => void;
/** Most keys have one listener (one collector, one open app): no Set for those. */
type Listeners<T> = Listener<T> | Set<Listener<T>>;

/**
 * This process's subscribers, by request and by device: what every bus delivers to in the end
 * (the in-process bus at once, the PostgreSQL bus when a notification arrives).
 */
export interface LocalSubscribers {
  deliverRequest(event: RequestEvent): void;
  deliverDevice(deviceId: string, notice: DeviceNotice): void;
  /** To each subscriber of the tenant, paced (see createFanOutPacer). */
  deliverTenant(tenantId: string, notice: AccountsNotice): void;
  subscribeRequest(requestId: string, listener: Listener<RequestEvent>): () => void;
  subscribeDevice(deviceId: string, listener: Listener<DeviceNotice>): () => void;
  subscribeTenant(tenantId: string, listener: Listener<AccountsNotice>): () => void;
  /** The requests and devices someone here waits on (what a bus that lost events tells again). */
  requestIds(): string[];
  deviceIds(): string[];
  readonly count: number;
  /** Stops the paced fan-out (what still waits is dropped). */
  close(): void;
}

export interface LocalSubscribersOptions {
  /** At most this many tenant subscribers are told per second (default 500). */
  tenantFanOutPerSecond?: number;
}

export function createLocalSubscribers(options: LocalSubscribersOptions = {}): LocalSubscribers {
  const byRequest = new Map<string, Listeners<RequestEvent>>();
  const byDevice = new Map<string, Listeners<DeviceNotice>>();
  const byTenant = new Map<string, Listeners<AccountsNotice>>();
  const accounts: AccountsNotice = { type: 'accounts' };
  // One pacer for every tenant of this process: the rate is what this relay's phones read at, whichever tenant changed.
  const pacer = createFanOutPacer<Listener<AccountsNotice>>(
    (listener) => {
      // It may have unsubscribed (its phone went away) while it waited its turn.
      if (subscribedToTenant.has(listener)) listener(accounts);
    },
    { perSecond: options.tenantFanOutPerSecond },
  );
  const subscribedToTenant = new Set<Listener<AccountsNotice>>();
  return {
    deliverRequest(event) {
      deliver(byRequest.get(event.requestId), event);
    },
    deliverDevice(deviceId, notice) {
      deliver(byDevice.get(deviceId), notice);
    },
    deliverTenant(tenantId) {
      const listeners = byTenant.get(tenantId);
      if (listeners) pacer.enqueue(typeof listeners === 'function' ? [listeners] : [...listeners]);
    },
    subscribeRequest(requestId, listener) {
      return subscribe(byRequest, requestId, listener);
    },
    subscribeDevice(deviceId, listener) {
      return subscribe(byDevice, deviceId, listener);
    },
    subscribeTenant(tenantId, listener) {
      subscribedToTenant.add(listener);
      const unsubscribe = subscribe(byTenant, tenantId, listener);
      return () => {
        subscribedToTenant.delete(listener);
        unsubscribe();
      };
    },
    requestIds: () => [...byRequest.keys()],
    deviceIds: () => [...byDevice.keys()],
    get count() {
      let count = 0;
      for (const entry of [...byRequest.values(), ...byDevice.values(), ...byTenant.values()])
        count += typeof entry === 'function' ? 1 : entry.size;
      return count;
    },
    close: () => pacer.close(),
  };
}

/**
 * The embedded default's event bus: one process, in memory, delivered synchronously as it is
 * published. It never loses an event, so it has nothing to recover.
 */
export function createInProcessEventBus(options: LocalSubscribersOptions = {}): SignInEventBus {
  const local = createLocalSubscribers(options);
  return {
    async publishRequest(event) {
      local.deliverRequest(event);
    },
    async publishDevice(deviceId, notice) {
      local.deliverDevice(deviceId, notice);
    },
    async publishTenant(tenantId, notice) {
      local.deliverTenant(tenantId, notice);
    },
    subscribeRequest: local.subscribeRequest,
    subscribeDevice: local.subscribeDevice,
    subscribeTenant: local.subscribeTenant,
    get listenerCount() {
      return local.count;
    },
  };
}

function deliver<T>(listeners: Listeners<T> | undefined, event: T): void {
  if (typeof listeners === 'function') listeners(event);
  else if (listeners) for (const listener of [...listeners]) listener(event);
}

function subscribe<T>(map: Map<string, Listeners<T>>, key: string, listener: Listener<T>): () => void {
  const current = map.get(key);
  if (current === undefined) map.set(key, listener);
  else if (typeof current === 'function') map.set(key, new Set([current, listener]));
  else current.add(listener);
  return () => {
    const now = map.get(key);
    if (now === listener) map.delete(key);
    else if (typeof now === 'object') {
      now.delete(listener);
      if (now.size === 0) map.delete(key);
    }
  };
}
