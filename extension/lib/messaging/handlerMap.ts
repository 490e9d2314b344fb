import type { Channel, MessageName, MessageOn, Payload, Reply } from '../../../shared/schemas/extensionMessages';

/** One message's handler: its validated payload, and what the channel's sender check established. */
export type Handler<K extends MessageName, Context> = (payload: Payload<K>, context: Context) => Promise<Reply<K>>;

/** A handler for every message of a channel (the compiler points out a missing one). */
export type HandlerMap<C extends Channel, Context> = { [K in MessageOn<C>]: Handler<K, Context> };

/** Run the handler of a message that already passed its channel's sender check and its schema. */
export function dispatchMessage<C extends Channel, Context>(
  handlers: HandlerMap<C, Context>,
  received: { type: MessageOn<C>; payload: unknown },
  context: Context,
): Promise<unknown> {
  // `received.type` picks the handler written for exactly that payload; TypeScript cannot follow the pair.
  const handler = handlers[received.type] as (payload: unknown, context: Context) => Promise<unknown>;
  return handler(received.payload, context);
}
