import { z } from 'zod';
import { displayName, groupName, origin, tenantName, username } from './common';

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
  role: z.enum(['global_administrator', 'authentication_policy_administrator']),
  label: z.string().trim().min(1).max(100).default('admin'),
});

const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

/** Admin: filters for the sign-in and audit log. */
export const auditQuery = z.object({
  user: z.string().max(254).optional(),
  outcome: z.string().max(40).optional(),
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
  /** Blocked after the user reported a sign-in as not theirs, until an admin unblocks them. */
  blocked: z.boolean(),
  blockedAt: z.string().nullable(),
  hasPassword: z.boolean(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof userView>;

/** Admin: `GET …/users` */
export const userList = z.object({ users: z.array(userView) });

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
  role: z.enum(['global_administrator', 'authentication_policy_administrator']),
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
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEventView = z.infer<typeof auditEventView>;

/** Admin: `GET …/audit` */
export const auditLog = z.object({ events: z.array(auditEventView) });
