import type { DeviceNotice, RequestEvent, SignInEventBus } from './SignInEventBus';

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
  subscribeRequest(requestId: string, listener: Listener<RequestEvent>): () => void;
  subscribeDevice(deviceId: string, listener: Listener<DeviceNotice>): () => void;
  /** The requests and devices someone here waits on (what a bus that lost events tells again). */
  requestIds(): string[];
  deviceIds(): string[];
  readonly count: number;
}

export function createLocalSubscribers(): LocalSubscribers {
  const byRequest = new Map<string, Listeners<RequestEvent>>();
  const byDevice = new Map<string, Listeners<DeviceNotice>>();
  return {
    deliverRequest(event) {
      deliver(byRequest.get(event.requestId), event);
    },
    deliverDevice(deviceId, notice) {
      deliver(byDevice.get(deviceId), notice);
    },
    subscribeRequest(requestId, listener) {
      return subscribe(byRequest, requestId, listener);
    },
    subscribeDevice(deviceId, listener) {
      return subscribe(byDevice, deviceId, listener);
    },
    requestIds: () => [...byRequest.keys()],
    deviceIds: () => [...byDevice.keys()],
    get count() {
      let count = 0;
      for (const entry of [...byRequest.values(), ...byDevice.values()]) count += typeof entry === 'function' ? 1 : entry.size;
      return count;
    },
  };
}

/**
 * The embedded default's event bus: one process, in memory, delivered synchronously as it is
 * published. It never loses an event, so it has nothing to recover.
 */
export function createInProcessEventBus(): SignInEventBus {
  const local = createLocalSubscribers();
  return {
    async publishRequest(event) {
      local.deliverRequest(event);
    },
    async publishDevice(deviceId, notice) {
      local.deliverDevice(deviceId, notice);
    },
    subscribeRequest: local.subscribeRequest,
    subscribeDevice: local.subscribeDevice,
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
