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
