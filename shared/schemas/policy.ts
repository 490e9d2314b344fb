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

/** Limits against push fatigue; every tenant may tune them. */
export const fatigueLimits = z.object({
  /** At most this many requests may wait for one user at once. */
  maxPendingPerUser: z.number().int().min(1).max(20).default(3),
  /** This many denials within `denialWindowMinutes` start a cool-down. */
  denialLimit: z.number().int().min(1).max(50).default(3),
  denialWindowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  coolDownMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(10),
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
