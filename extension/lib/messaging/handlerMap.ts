import type { Channel, MessageName, MessageOn, Payload, Reply } from '../../../shared/schemas/extensionMessages';

/** One message's handler: its validated payload, and who sent it (what the channel's sender check established). */
export type Handler<K extends MessageName, From> = (payload: Payload<K>, from: From) => Promise<Reply<K>>;

/** A handler for every message of a channel (the compiler points out a missing one). */
export type HandlerMap<C extends Channel, From> = { [K in MessageOn<C>]: Handler<K, From> };

/** Run the handler of a message that already passed its channel's sender check and its schema. */
export function dispatchMessage<C extends Channel, From>(
  handlers: HandlerMap<C, From>,
  received: { type: MessageOn<C>; payload: unknown },
  from: From,
): Promise<unknown> {
  // `received.type` picks the handler written for exactly that payload; TypeScript cannot follow the pair.
  const handler = handlers[received.type] as (payload: unknown, from: From) => Promise<unknown>;
  return handler(received.payload, from);
}
