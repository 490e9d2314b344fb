import type { DeviceNotice, RequestEvent, SignInEventBus } from './SignInEventBus';

type Listener<T> = (event: T) => void;
/** Most keys have one listener (one collector, one open app): no Set for those. */
type Listeners<T> = Listener<T> | Set<Listener<T>>;

/**
 * The embedded default's event bus: one process, in memory, delivered synchronously as it is
 * published. It never loses an event, so it has nothing to recover.
 */
export function createInProcessEventBus(): SignInEventBus {
  const byRequest = new Map<string, Listeners<RequestEvent>>();
  const byDevice = new Map<string, Listeners<DeviceNotice>>();
  return {
    async publishRequest(event) {
      deliver(byRequest.get(event.requestId), event);
    },
    async publishDevice(deviceId, notice) {
      deliver(byDevice.get(deviceId), notice);
    },
    subscribeRequest(requestId, listener) {
      return subscribe(byRequest, requestId, listener);
    },
    subscribeDevice(deviceId, listener) {
      return subscribe(byDevice, deviceId, listener);
    },
    get listenerCount() {
      let count = 0;
      for (const entry of [...byRequest.values(), ...byDevice.values()]) count += typeof entry === 'function' ? 1 : entry.size;
      return count;
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
