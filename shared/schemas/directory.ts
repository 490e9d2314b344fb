import { z } from 'zod';
import { displayName, groupName, origin, tenantName, username } from './common';
import { requestStatuses } from './signInRequests';

/**
 * The seed's admin roles: a Global Administrator does everything in the tenant; an Authentication
 * Policy Administrator the Authenticator policy; a Helpdesk Administrator passes, unblocking and
 * devices. Each of the last two also reads users, groups and the sign-in log.
 */
export const adminRoles = ['global_administrator', 'authentication_policy_administrator', 'helpdesk_administrator'] as const;
export const adminRole = z.enum(adminRoles);
export type AdminRoleName = z.infer<typeof adminRole>;

/** Operator (CLI): create a tenant. */
export const tenantCreate = z.object({
  name: tenantName,
  displayName: displayName.optional(),
  signInOrigins: z.array(origin).max(50).default([]),
});
export type TenantCreate = z.input<typeof tenantCreate>;

/** Admin: change a tenant's display name or its registered sign-in origins. */
export const tenantUpdate = z.object({
  displayName: displayName.optional(),
  signInOrigins: z.array(origin).max(50).optional(),
});
export type TenantUpdate = z.infer<typeof tenantUpdate>;

/** Admin: create a user. Members can use phone sign-in; guests cannot. */
export const userCreate = z.object({
  username,
  displayName: displayName.optional(),
  kind: z.enum(['member', 'guest']).default('member'),
});
export type UserCreate = z.input<typeof userCreate>;

/** Admin: change a user. */
export const userUpdate = z.object({
  displayName: displayName.optional(),
  kind: z.enum(['member', 'guest']).optional(),
});
export type UserUpdate = z.infer<typeof userUpdate>;

/** Admin: rename a group (policy targets follow: they hold its id). */
export const groupUpdate = z.object({
  name: groupName.optional(),
  displayName: displayName.optional(),
});
export type GroupUpdate = z.infer<typeof groupUpdate>;

/** Admin: create a group. */
export const groupCreate = z.object({
  name: groupName,
  displayName: displayName.optional(),
});
export type GroupCreate = z.input<typeof groupCreate>;

/** Admin: set a user's password (a first factor for push MFA mode). */
export const passwordSet = z.object({
  password: z.string().min(8).max(256),
});
export type PasswordSet = z.infer<typeof passwordSet>;

/** Global admin: make another admin token for this tenant. */
export const adminTokenCreate = z.object({
  role: adminRole,
  label: z.string().trim().min(1).max(100).default('admin'),
});

const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

/** Every outcome an audit record has: a sign-in request's status, or how another action went. */
export const auditOutcomes = [...new Set(['success', 'failure', 'refused', 'blocked', ...requestStatuses])] as [string, ...string[]];
const auditOutcome = z.enum(auditOutcomes, { error: `one of ${auditOutcomes.join(', ')}` });

/** The ways of signing in that the sign-in log names (`method` of its records). */
export const signInMethods = ['phone_sign_in', 'push_mfa', 'verification_code', 'password_and_code', 'temporary_access_pass'] as const;
const signInMethod = z.enum(signInMethods, { error: `one of ${signInMethods.join(', ')}` });

/** Admin: a page of the user list. `cursor` is the `nextCursor` of the page before; `search` matches username or display name. */
export const userListQuery = z.object({
  search: z.string().trim().max(254).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .max(400)
    .regex(/^[A-Za-z0-9_-]+$/, 'a nextCursor from the page before')
    .optional(),
});

/** Admin: the sign-in log — every sign-in attempt, newest first, filtered. */
export const signInLogQuery = z.object({
  user: z.string().max(254).optional(),
  outcome: auditOutcome.optional(),
  method: signInMethod.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Admin: filters for the sign-in and audit log. */
export const auditQuery = z.object({
  user: z.string().max(254).optional(),
  outcome: auditOutcome.optional(),
  type: z.string().max(80).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

// ---- answers ----------------------------------------------------------------------------------

/** One tenant as the relay's public discovery describes it. */
export const discoveredTenant = z.object({
  name: tenantName,
  displayName: z.string().min(1).max(200),
  /** Where this tenant's hosted sign-in page may legitimately be served: the relay itself and up to 50 more. */
  signInOrigins: z.array(origin).max(51),
  /** The tenant's OpenID Connect issuer. */
  issuer: z.url({ protocol: /^https?$/ }).max(500),
});
export type DiscoveredTenant = z.infer<typeof discoveredTenant>;

/** Public discovery (`GET /api/tenants`): the tenants this relay serves. Unknown fields are ignored. */
export const tenantDiscovery = z.object({
  relay: origin,
  tenants: z.array(discoveredTenant).max(500),
});
export type TenantDiscovery = z.infer<typeof tenantDiscovery>;

/** `GET /health` and `GET /health/live` */
export const health = z.object({ status: z.literal('ok') });

/** `GET /health/ready`: storage is reachable, migrated and takes a write (else a 503 problem). */
export const readiness = z.object({ status: z.literal('ready') });

/** Admin: a tenant (`GET /admin/t/:tenant`). */
export const tenantView = z.object({
  name: z.string(),
  displayName: z.string(),
  signInOrigins: z.array(z.string()),
  createdAt: z.string(),
});
export type TenantView = z.infer<typeof tenantView>;

/** Admin: a user. Never a password hash: only whether there is a password. */
export const userView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  kind: z.enum(['member', 'guest']),
  /**
   * At risk: the user reported a sign-in as not theirs. Pushes from browsers that never signed
   * them in are held until they sign in from a known browser or an admin clears it.
   */
  blocked: z.boolean(),
  blockedAt: z.string().nullable(),
  /** Disabled by an admin: no sign-in, no enrollment and no session until enabled again. */
  disabled: z.boolean(),
  disabledAt: z.string().nullable(),
  hasPassword: z.boolean(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof userView>;

/**
 * Admin: a user's limits and risk (`GET …/users/:username/limits`, `nod admin user status`):
 * what holds now, and why.
 */
export const userLimitStatus = z.object({
  username: z.string(),
  atRisk: z.boolean(),
  atRiskSince: z.string().nullable(),
  /** Guessable secrets: consecutive failures per factor and lane (`elsewhere`, `known:…`, `ext:…`). */
  failures: z.array(
    z.object({
      factor: z.string(),
      lane: z.string(),
      count: z.number(),
      locked: z.boolean(),
      /** While backing off: when the next try is allowed. */
      waitUntil: z.string().nullable(),
    }),
  ),
  /** Pushes in the current window, per lane, and the unanswered ones in a row. */
  pushes: z.array(z.object({ lane: z.string(), inWindow: z.number(), unanswered: z.number(), coolDownUntil: z.string().nullable() })),
  /** Sources the user reported, blocked from reaching them until `until`. */
  blockedSources: z.array(z.object({ source: z.string(), until: z.string() })),
  /** The reports ("No, it's not me") with their evidence, newest first. */
  reports: z.array(
    z.object({
      at: z.string(),
      ip: z.string().nullable(),
      browser: z.string().nullable(),
      location: z.string().nullable(),
      application: z.string().nullable(),
      origin: z.string().nullable(),
    }),
  ),
});
export type UserLimitStatus = z.infer<typeof userLimitStatus>;

/** Admin: `GET …/users`: one page; `nextCursor` fetches the next, null on the last. */
export const userList = z.object({ users: z.array(userView), nextCursor: z.string().nullable() });

/** Admin: `GET …/groups/:name/members` */
export const groupMembers = z.object({ members: z.array(userView) });

export const groupView = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  createdAt: z.string(),
});
export type GroupView = z.infer<typeof groupView>;

/** Admin: `GET …/groups` */
export const groupList = z.object({ groups: z.array(groupView) });

/** Admin: an admin token, never its secret. */
export const adminTokenView = z.object({
  id: z.string(),
  role: adminRole,
  label: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type AdminTokenView = z.infer<typeof adminTokenView>;

/** Admin: `GET …/tokens` */
export const adminTokenList = z.object({ tokens: z.array(adminTokenView) });

/** Admin: a new admin token; `token` is shown this once. */
export const adminTokenCreated = z.object({ id: z.string(), token: z.string() });

/** Admin: one entry of the sign-in and audit log. */
export const auditEventView = z.object({
  id: z.string(),
  tenantId: z.string(),
  at: z.string(),
  type: z.string(),
  outcome: z.string(),
  reason: z.string().nullable(),
  userId: z.string().nullable(),
  username: z.string().nullable(),
  deviceId: z.string().nullable(),
  method: z.string().nullable(),
  origin: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** Where `ip` was, in words, when the event was recorded ("United States", "This network", "Unknown location"). */
  location: z.string().nullable().default(null),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEventView = z.infer<typeof auditEventView>;

/** Admin: `GET …/audit` */
export const auditLog = z.object({ events: z.array(auditEventView) });

/** Admin: `GET …/sign-ins` (the sign-in log: the audit records of sign-in attempts, newest first) */
export const signInLog = z.object({ signIns: z.array(auditEventView) });
