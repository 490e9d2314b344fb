import { z } from 'zod';

/**
 * The last event of a stream that the relay ends on purpose (it is stopping: a deploy, a
 * restart): not an error, a cue to reconnect at once. Behind a load balancer the new connection
 * reaches another relay; with `Last-Event-ID` nothing is sent twice or missed. Any stream may end
 * with it, whatever its own events are.
 */
export const reconnectEvent = 'reconnect';

export const streamReconnect = z.object({ reason: z.literal('relay_stopping') });
export type StreamReconnect = z.infer<typeof streamReconnect>;
