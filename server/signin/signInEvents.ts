import type { DeviceEvent } from '../../shared/schemas/deviceEvent';
import type { SignInRequestState } from '../../shared/schemas/signInRequestState';

type Listener<T> = (event: T) => void;

/**
 * The relay's event fan-out: request states to the collector waiting on a request, and live
 * events to phones by device. In-process for the embedded default; the same two-method shape
 * can sit on PostgreSQL LISTEN/NOTIFY or Redis pub/sub when several relays share one tenant set.
 */
export class SignInEvents {
  private byRequest = new Map<string, Set<Listener<SignInRequestState>>>();
  private byDevice = new Map<string, Set<Listener<DeviceEvent>>>();

  publishRequest(state: SignInRequestState): void {
    for (const listener of this.byRequest.get(state.requestId) ?? []) listener(state);
  }

  publishDevice(deviceId: string, event: DeviceEvent): void {
    for (const listener of this.byDevice.get(deviceId) ?? []) listener(event);
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
    for (const set of this.byRequest.values()) count += set.size;
    for (const set of this.byDevice.values()) count += set.size;
    return count;
  }
}

function subscribe<T>(map: Map<string, Set<Listener<T>>>, key: string, listener: Listener<T>): () => void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(listener);
  return () => {
    const current = map.get(key);
    if (!current) return;
    current.delete(listener);
    if (current.size === 0) map.delete(key);
  };
}
