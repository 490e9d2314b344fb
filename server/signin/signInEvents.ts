import type { DeviceEvent } from '../../shared/schemas/devices';
import type { SignInRequestState } from '../../shared/schemas/signInRequests';

type Listener<T> = (event: T) => void;
/** Most keys have one listener (one collector, one open app): no Set for those. */
type Listeners<T> = Listener<T> | Set<Listener<T>>;

/**
 * The relay's event fan-out: request states to the collector waiting on a request, and live
 * events to phones by device. In-process for the embedded default; the same two-method shape
 * can sit on PostgreSQL LISTEN/NOTIFY or Redis pub/sub when several relays share one tenant set.
 */
export class SignInEvents {
  private byRequest = new Map<string, Listeners<SignInRequestState>>();
  private byDevice = new Map<string, Listeners<DeviceEvent>>();

  publishRequest(state: SignInRequestState): void {
    publish(this.byRequest.get(state.requestId), state);
  }

  publishDevice(deviceId: string, event: DeviceEvent): void {
    publish(this.byDevice.get(deviceId), event);
  }

  subscribeRequest(requestId: string, listener: Listener<SignInRequestState>): () => void {
    return subscribe(this.byRequest, requestId, listener);
  }

  subscribeDevice(deviceId: string, listener: Listener<DeviceEvent>): () => void {
    return subscribe(this.byDevice, deviceId, listener);
  }

  /** How many streams are open (for tests and benchmarks). */
  get listenerCount(): number {
    let count = 0;
    for (const entry of [...this.byRequest.values(), ...this.byDevice.values()]) count += typeof entry === 'function' ? 1 : entry.size;
    return count;
  }
}

function publish<T>(listeners: Listeners<T> | undefined, event: T): void {
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
