import { z } from 'zod';
import { clientDescription } from './clientDescription';
import { origin, username } from './common';

/**
 * Desktop: start a sign-in for a user of the tenant in the path
 * (`POST /api/t/:tenant/sign-in-requests`).
 * - `passwordless`: phone sign-in, number matching, user verification on the phone.
 * - `mfa`: push approval as the second factor; `password` or `temporaryAccessPass` is the first.
 */
export const signInRequestCreate = z.object({
  username,
  kind: z.enum(['passwordless', 'mfa']).default('passwordless'),
  /** The origin the sign-in is for: where the user will be signed in. */
  origin,
  client: clientDescription.default({}),
  password: z.string().min(1).max(256).optional(),
  temporaryAccessPass: z.string().min(1).max(100).optional(),
});
export type SignInRequestCreate = z.input<typeof signInRequestCreate>;

/**
 * The answer — the same shape, status and timing for unknown users and users who cannot use
 * the phone (no enumeration): such a request simply never gets approved.
 */
export interface SignInRequestCreated {
  requestId: string;
  /** The two-digit number to show on the desktop only. */
  number: number;
  expiresAt: string;
  /** Only its holder can watch the request and redeem the result. Never show or log it. */
  collectorSecret: string;
  status: 'pending' | 'cool_down';
  /** With `cool_down`: when a new push may be sent. */
  retryAt?: string;
  /** The other ways this user may sign in (for unknown users, a plausible default list). */
  methods: string[];
}
