/** Read a phone's live channel (device-signed server-sent events) as the PWA does, with fetch. */
import type { DeviceEvent } from '../../shared/schemas/devices';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
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
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    let buffer = '';
    try {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        const chunk = read.value;
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const data = buffer
            .slice(0, end)
            .split('\n')
            .find((line) => line.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data) {
            const event = JSON.parse(data.slice(6)) as DeviceEvent;
            events.push(event);
            for (const waiter of [...waiters]) {
              if (waiter.predicate(event)) {
                waiters.splice(waiters.indexOf(waiter), 1);
                waiter.resolve(event);
              }
            }
          }
          end = buffer.indexOf('\n\n');
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
