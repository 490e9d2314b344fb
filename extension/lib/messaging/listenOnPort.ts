import { type Channel, parseMessage } from '../../../shared/schemas/extensionMessages';
import { type HandlerMap, dispatchMessage } from './handlerMap';

/** The part of a port the background listens on. */
export interface ListenedPort {
  onMessage: { addListener(listener: (raw: unknown) => void): void };
}

/**
 * Handle a port's messages (its sender already checked) one at a time, in order — a start must see the
 * observation sent just before it. Each message is validated for the channel; anything else is ignored.
 */
export function listenOnPort<C extends Channel, From>(port: ListenedPort, channel: C, handlers: HandlerMap<C, From>, from: From): void {
  let queue = Promise.resolve();
  port.onMessage.addListener((raw) => {
    const received = parseMessage(channel, raw);
    if (!received) return;
    queue = queue
      .then(() => dispatchMessage(handlers, received, from))
      .then(() => undefined)
      .catch((error: unknown) => console.warn(`Nod: ${received.type} failed`, error));
  });
}
