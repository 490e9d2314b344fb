/** Read a phone's live channel (device-signed server-sent events) as the PWA does, with fetch. */
import type { DeviceEvent } from '../../shared/schemas/devices';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
import { readEventStream } from '../../shared/relay/readEventStream';
import type { TestPhone } from './enrollPhone';

export interface DeviceStream {
  events: DeviceEvent[];
  waitFor(predicate: (event: DeviceEvent) => boolean, timeoutMs?: number): Promise<DeviceEvent>;
  /** Resolves when the stream ends (the relay ended it, or close()). */
  ended: Promise<void>;
  close(): void;
}

export async function openDeviceStream(relayUrl: string, phone: TestPhone): Promise<DeviceStream> {
  const controller = new AbortController();
  const path = '/api/device/events';
  const authorization = await deviceAuthorizationHeader(phone.account.deviceId, phone.deviceKey.privateKey, { method: 'GET', path });
  const response = await fetch(`${relayUrl}${path}`, { headers: { authorization }, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`device stream: ${response.status}`);
  const events: DeviceEvent[] = [];
  const waiters: { predicate: (e: DeviceEvent) => boolean; resolve: (e: DeviceEvent) => void }[] = [];
  const ended = (async () => {
    try {
      for await (const received of readEventStream(response.body!)) {
        const event = JSON.parse(received.data) as DeviceEvent;
        events.push(event);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(event)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    ended,
    waitFor(predicate, timeoutMs = 5000) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no such device event')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    },
    close: () => controller.abort(),
  };
}
