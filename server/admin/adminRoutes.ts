import type { FastifyInstance } from 'fastify';
import {
  adminTokenCreate,
  auditQuery,
  groupCreate,
  passwordSet,
  tenantUpdate,
  userCreate,
  userUpdate,
} from '../../shared/schemas/directory';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { parseWith } from '../http/parseWith';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';
import { describePolicy } from '../policy/describePolicy';
import { policyForUser } from '../policy/policyForUser';
import { savePolicy } from '../policy/savePolicy';
import { issueTemporaryAccessPass } from '../tap/issueTemporaryAccessPass';
import { hashPassword } from '../users/passwords';
import { requireGroup, requireUser } from '../users/requireUser';
import { adminRoute } from './adminRoute';
import { createAdminToken } from './adminTokens';
import { auditView, groupView, registrationView, tenantView, tokenView, userView } from './views';

/** The admin API: tenants, users, groups, policy, passes, tokens and the audit log of one tenant. */
export function adminRoutes(app: FastifyInstance, ctx: RelayContext): void {
  const route = (...args: Parameters<typeof adminRoute> extends [unknown, unknown, ...infer R] ? R : never) =>
    adminRoute(app, ctx, ...args);

  route('GET', '', 'policy', async ({ tenant }) => tenantView(tenant));
  route('PATCH', '', 'global', async ({ tenant, body }) => {
    const change = parseWith(tenantUpdate, body);
    const updated = { ...tenant, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) };
    await ctx.storage.tenants.update(updated);
    return tenantView(updated);
  });

  // Users
  route('GET', '/users', 'global', async ({ tenant }) => ({ users: (await ctx.storage.users.list(tenant.id)).map(userView) }));
  route(
    'POST',
    '/users',
    'global',
    async ({ tenant, body }) => {
      const input = parseWith(userCreate, body);
      if (await ctx.storage.users.byName(tenant.id, input.username)) {
        throw new ProblemError('conflict', `The username ${input.username} is taken in ${tenant.name}.`, {
          errors: [{ field: 'username', message: 'taken' }],
        });
      }
      const user = {
        id: newId(),
        tenantId: tenant.id,
        username: input.username,
        displayName: input.displayName ?? input.username,
        kind: input.kind,
        blockedAt: null,
        passwordHash: null,
        lastMethod: null,
        createdAt: ctx.now(),
      };
      await ctx.storage.users.create(user);
      return userView(user);
    },
    201,
  );
  route('GET', '/users/:username', 'global', async ({ tenant, params }) => userView(await requireUser(ctx, tenant, params.username)));
  route('PATCH', '/users/:username', 'global', async ({ tenant, params, body }) => {
    const user = await requireUser(ctx, tenant, params.username);
    const change = parseWith(userUpdate, body);
    const updated = { ...user, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) };
    await ctx.storage.users.update(updated);
    return userView(updated);
  });
  route('DELETE', '/users/:username', 'global', async ({ tenant, params }) => {
    const user = await requireUser(ctx, tenant, params.username);
    await ctx.storage.users.delete(tenant.id, user.id);
    return undefined;
  });
  route('PUT', '/users/:username/password', 'global', async ({ tenant, params, body }) => {
    const user = await requireUser(ctx, tenant, params.username);
    const { password } = parseWith(passwordSet, body);
    await ctx.storage.users.update({ ...user, passwordHash: await hashPassword(password) });
    return undefined;
  });
  route('POST', '/users/:username/unblock', 'global', async ({ tenant, params, token }) => {
    const user = await requireUser(ctx, tenant, params.username);
    await ctx.storage.users.update({ ...user, blockedAt: null });
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'user.unblocked',
      outcome: 'success',
      userId: user.id,
      username: user.username,
      detail: { adminToken: token.id },
    });
    return userView({ ...user, blockedAt: null });
  });
  route('GET', '/users/:username/registrations', 'global', async ({ tenant, params }) => {
    const user = await requireUser(ctx, tenant, params.username);
    const registrations = await ctx.storage.registrations.listForUser(tenant.id, user.id);
    return {
      registrations: await Promise.all(registrations.map(async (r) => registrationView(r, await ctx.storage.devices.byId(r.deviceId)))),
    };
  });
  route('DELETE', '/users/:username/registrations/:id', 'global', async ({ tenant, params }) => {
    const user = await requireUser(ctx, tenant, params.username);
    const registration = await ctx.storage.registrations.byId(params.id);
    if (!registration || registration.userId !== user.id) throw new ProblemError('registration_not_found');
    await ctx.storage.registrations.delete(registration.id);
    return undefined;
  });
  route('GET', '/users/:username/policy', 'policy', async ({ tenant, params }) => {
    const user = await requireUser(ctx, tenant, params.username);
    return (await policyForUser(ctx, tenant, user)).decision;
  });
  route(
    'POST',
    '/users/:username/temporary-access-pass',
    'global',
    async ({ tenant, params, body }) => issueTemporaryAccessPass(ctx, tenant, await requireUser(ctx, tenant, params.username), body ?? {}),
    201,
  );
  route('DELETE', '/users/:username/temporary-access-pass', 'global', async ({ tenant, params }) => {
    const user = await requireUser(ctx, tenant, params.username);
    await ctx.storage.temporaryAccessPasses.revokeAll(tenant.id, user.id, ctx.now());
    return undefined;
  });

  // Groups
  route('GET', '/groups', 'global', async ({ tenant }) => ({ groups: (await ctx.storage.groups.list(tenant.id)).map(groupView) }));
  route(
    'POST',
    '/groups',
    'global',
    async ({ tenant, body }) => {
      const input = parseWith(groupCreate, body);
      if (await ctx.storage.groups.byName(tenant.id, input.name)) {
        throw new ProblemError('conflict', `A group named ${input.name} exists in ${tenant.name}.`, {
          errors: [{ field: 'name', message: 'taken' }],
        });
      }
      const group = {
        id: newId(),
        tenantId: tenant.id,
        name: input.name,
        displayName: input.displayName ?? input.name,
        createdAt: ctx.now(),
      };
      await ctx.storage.groups.create(group);
      return groupView(group);
    },
    201,
  );
  route('DELETE', '/groups/:name', 'global', async ({ tenant, params }) => {
    const group = await requireGroup(ctx, tenant, params.name);
    const policy = await ctx.storage.policies.get(tenant.id);
    const used = [...(policy?.includeTargets ?? []), ...(policy?.excludeTargets ?? [])].some(
      (t) => t.kind === 'group' && t.id === group.id,
    );
    if (used) throw new ProblemError('conflict', `The policy targets ${group.name}; remove it from the policy first.`);
    await ctx.storage.groups.delete(tenant.id, group.id);
    return undefined;
  });
  route('GET', '/groups/:name/members', 'global', async ({ tenant, params }) => {
    const group = await requireGroup(ctx, tenant, params.name);
    return { members: (await ctx.storage.groups.members(tenant.id, group.id)).map(userView) };
  });
  route('PUT', '/groups/:name/members/:username', 'global', async ({ tenant, params }) => {
    const group = await requireGroup(ctx, tenant, params.name);
    const user = await requireUser(ctx, tenant, params.username);
    await ctx.storage.groups.addMember(tenant.id, group.id, user.id);
    return undefined;
  });
  route('DELETE', '/groups/:name/members/:username', 'global', async ({ tenant, params }) => {
    const group = await requireGroup(ctx, tenant, params.name);
    const user = await requireUser(ctx, tenant, params.username);
    await ctx.storage.groups.removeMember(tenant.id, group.id, user.id);
    return undefined;
  });

  // The Authenticator policy: what an authentication policy administrator may change.
  route('GET', '/policy', 'policy', async ({ tenant }) => {
    const stored = await ctx.storage.policies.get(tenant.id);
    if (!stored) throw new ProblemError('not_found', 'This tenant has no policy yet.');
    return describePolicy(ctx, tenant, stored);
  });
  route('PUT', '/policy', 'policy', async ({ tenant, body, token }) => {
    const stored = await savePolicy(ctx, tenant, body as never);
    await recordAudit(ctx, { tenantId: tenant.id, type: 'policy.saved', outcome: 'success', detail: { adminToken: token.id } });
    return describePolicy(ctx, tenant, stored);
  });

  // Admin tokens
  route('GET', '/tokens', 'global', async ({ tenant }) => ({ tokens: (await ctx.storage.adminTokens.list(tenant.id)).map(tokenView) }));
  route(
    'POST',
    '/tokens',
    'global',
    async ({ tenant, body }) => {
      const input = parseWith(adminTokenCreate, body);
      return createAdminToken(ctx, tenant, input.role, input.label);
    },
    201,
  );
  route('DELETE', '/tokens/:id', 'global', async ({ tenant, params }) => {
    await ctx.storage.adminTokens.revoke(tenant.id, params.id, ctx.now());
    return undefined;
  });

  // The audit and sign-in log
  route('GET', '/audit', 'global', async ({ tenant, query }) => {
    const filter = parseWith(auditQuery, query, 'query');
    const events = await ctx.storage.audit.list({
      tenantId: tenant.id,
      username: filter.user?.toLowerCase(),
      outcome: filter.outcome,
      type: filter.type,
      since: filter.since,
      until: filter.until,
      limit: filter.limit,
    });
    return { events: events.map(auditView) };
  });
}
