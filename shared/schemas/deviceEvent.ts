import { z } from 'zod';
import { signInRequestDetails } from './signInRequestDetails';

/** Server-sent events on the phone's live channel (`GET /api/device/events`, device-signed). */
export const deviceEvent = z.discriminatedUnion('type', [
  /** A new request for an account on this device. */
  z.object({ type: z.literal('request'), request: signInRequestDetails }),
  /** A request was answered (here or on another device), expired or was superseded. */
  z.object({ type: z.literal('closed'), requestId: z.string(), status: z.string() }),
]);
export type DeviceEvent = z.infer<typeof deviceEvent>;
