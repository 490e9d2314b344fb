import { z } from 'zod';

export const requestStatuses = [
  'pending',
  'approved',
  'denied',
  'wrong_number',
  'failed',
  'reported',
  'expired',
  'superseded',
  'cancelled',
  'cool_down',
  'redeemed',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** After these nothing more happens to a request (approved still waits to be redeemed). */
export const finalRequestStatuses: readonly RequestStatus[] = requestStatuses.filter((s) => s !== 'pending' && s !== 'approved');

/**
 * The state of a request as its collector sees it: the body of `GET /api/sign-in-requests/:id`
 * and the data of each `state` server-sent event on `/api/sign-in-requests/:id/events`.
 */
export const signInRequestState = z.object({
  requestId: z.string(),
  status: z.enum(requestStatuses),
  expiresAt: z.string(),
  /** A plain sentence for the person waiting. */
  message: z.string().optional(),
});
export type SignInRequestState = z.infer<typeof signInRequestState>;
