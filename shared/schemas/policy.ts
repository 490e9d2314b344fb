import { z } from 'zod';
import { requestLifetime } from '../constants';
import { groupName, mode, username } from './common';

const includeTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all_users'), mode: mode.default('any') }),
  z.object({ kind: z.literal('group'), name: groupName, mode: mode.default('any') }),
  z.object({ kind: z.literal('user'), name: username, mode: mode.default('any') }),
]);

const excludeTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('group'), name: groupName }),
  z.object({ kind: z.literal('user'), name: username }),
]);

const count = (min: number, max: number, fallback: number) => z.number().int().min(min).max(max).default(fallback);

/**
 * The tenant's limits on guessing and on pushes (server/limits; README **Security**). Every
 * tenant may tune them; the defaults are safe without tuning. "A source" is the client IP as the
 * relay sees it, or the browser's collector key or extension key; a known browser (one where the
 * user signed in before) is a source of its own, so nobody else's flood uses up its budget.
 */
export const fatigueLimits = z.object({
  /** Pushes one user may get per window from browsers that never signed them in (and again from each known browser). */
  pushesPerUser: count(1, 1000, 5),
  pushWindowMinutes: count(1, 24 * 60, 15),
  /** After this many pushes in a row that ended in no sign-in, each further push to the user waits longer. */
  unansweredBeforeBackOff: count(1, 100, 3),
  /** The first wait after that; it doubles with each further push, up to the push window. */
  pushBackOffSeconds: count(1, 3600, 30),
  /** Pushes one source may cause per window, to any users. */
  pushesPerSource: count(1, 100_000, 30),
  /** Consecutive wrong codes, passwords or passes for one account before each further try waits. */
  failuresBeforeBackOff: count(1, 50, 5),
  /** The first wait after that (seconds); it doubles with each further failure, up to 15 minutes. */
  failureBackOffSeconds: count(1, 900, 1),
  /** Consecutive failures that lock the method for the account until a stronger sign-in or an admin reset (NIST: at most 100). */
  lockAfterFailures: count(5, 100, 50),
  /** Wrong codes, passwords or passes one source may make per window, across accounts. */
  failuresPerSource: count(1, 100_000, 20),
  sourceWindowMinutes: count(1, 24 * 60, 10),
  /** How long the source of a sign-in the user reported ("No, it's not me") cannot reach them. */
  reportBlockMinutes: count(1, 90 * 24 * 60, 24 * 60),
  /** How long a sign-in request lives. */
  requestLifetimeSeconds: z
    .number()
    .int()
    .min(requestLifetime.minSeconds)
    .max(requestLifetime.maxSeconds)
    .default(requestLifetime.defaultSeconds),
});
export type FatigueLimits = z.infer<typeof fatigueLimits>;

/**
 * The tenant's Microsoft-Authenticator-style method policy: enabled or not, who is targeted in
 * which mode, who is excluded (exclusions always win), and what context the phone shows.
 */
export const authenticatorPolicy = z.object({
  enabled: z.boolean(),
  includeTargets: z.array(includeTarget).default([]),
  excludeTargets: z.array(excludeTarget).default([]),
  showApplicationName: z.boolean().default(true),
  showLocation: z.boolean().default(true),
  /** Refuse phone sign-in requests that no registered browser created. */
  requireRegisteredBrowser: z.boolean().default(false),
  limits: fatigueLimits.default(() => fatigueLimits.parse({})),
});
export type AuthenticatorPolicy = z.infer<typeof authenticatorPolicy>;
export type AuthenticatorPolicyInput = z.input<typeof authenticatorPolicy>;
export type IncludeTarget = z.infer<typeof includeTarget>;
export type ExcludeTarget = z.infer<typeof excludeTarget>;

// ---- answers ----------------------------------------------------------------------------------

/** Admin: the policy as stored, targets by name (`GET` and `PUT /admin/t/:tenant/policy`). */
export const policyView = authenticatorPolicy.extend({ updatedAt: z.string() });
export type PolicyView = z.infer<typeof policyView>;

/**
 * The policy's answer for one user: allowed or not, in which mode, and why, in words an admin
 * understands (`GET /admin/t/:tenant/users/:username/policy`).
 */
export const policyDecision = z.object({
  allowed: z.boolean(),
  mode: mode.nullable(),
  /** Which target or exclusion decided. */
  reason: z.string(),
  decidedBy: z.object({
    kind: z.enum(['disabled', 'exclude', 'include', 'none']),
    target: z.enum(['all_users', 'group', 'user']).optional(),
    id: z.string().optional(),
  }),
});
export type PolicyDecision = z.infer<typeof policyDecision>;
