import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { noContent, recordId } from '../../shared/schemas/common';
import { registeredBrowserList, registrationList } from '../../shared/schemas/devices';
import {
  adminTokenCreate,
  adminTokenCreated,
  adminTokenList,
  auditLog,
  auditQuery,
  groupCreate,
  groupList,
  groupMembers,
  groupView,
  passwordSet,
  tenantUpdate,
  tenantView,
  userCreate,
  userLimitStatus,
  userList,
  userListQuery,
  userUpdate,
  userView,
} from '../../shared/schemas/directory';
import { domainName, tenantDomainAdd, tenantDomainList } from '../../shared/schemas/discovery';
import { temporaryAccessPassIssue, temporaryAccessPassIssued } from '../../shared/schemas/enrollment';
import { authenticatorPolicy, policyDecision, policyView } from '../../shared/schemas/policy';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';
import { clearRisk, resetLimits, userLimitState } from '../limits/limitState';
import { describePolicy } from '../policy/describePolicy';
import { policyForUser } from '../policy/policyForUser';
import { savePolicy } from '../policy/savePolicy';
import { listRegisteredBrowsers, removeRegisteredBrowser } from '../signin/registeredBrowsers';
import { claimSignInOrigins } from '../tenants/claimSignInOrigins';
import { issueTemporaryAccessPass } from '../tap/issueTemporaryAccessPass';
import { addTenantDomain, removeTenantDomain } from '../tenants/tenantDomains';
import { removeRegistration } from '../registrations/removeRegistration';
import { hashPassword } from '../users/passwords';
import { deleteUser, updateUser } from '../users/changeUser';
import { addGroupMember, removeGroupMember } from '../users/groupMembership';
import { requireGroup, requireUser } from '../users/requireUser';
import { audited } from './adminAudit';
import { adminRoute, adminUserRoute, groupPath, tenantPath, userItemPath, userPath } from './adminRoute';
import { accountRoutes } from './accountRoutes';
import { createAdminToken } from './adminTokens';
import { reportRoutes } from './reportRoutes';
import { signInLogRoutes } from './signInLogRoutes';
import { showAuditEvent, showGroup, showRegistration, showTenant, showToken, showUser } from './views';

const memberPath = groupPath.extend({ username: z.string() });
const idPath = tenantPath.extend({ id: recordId });

/** The admin API: tenants, users, groups, policy, passes, tokens and the audit log of one tenant. */
export function adminRoutes(app: FastifyInstance, ctx: RelayContext): void {
  adminRoute(app, ctx, { method: 'GET', path: '', role: 'reader', params: tenantPath, reply: tenantView }, async ({ tenant }) =>
    showTenant(tenant),
  );
  adminRoute(
    app,
    ctx,
    { method: 'PATCH', path: '', role: 'global', params: tenantPath, body: tenantUpdate, reply: tenantView },
    async ({ tenant, body }) => {
      if (body.signInOrigins) await claimSignInOrigins(ctx, tenant.id, body.signInOrigins);
      const updated = { ...tenant, ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) };
      await ctx.storage.tenants.update(updated);
      return showTenant(updated);
    },
  );

  // Home realm discovery: the domains of the tenant's usernames (each domain belongs to one tenant).
  const domainPath = tenantPath.extend({ domain: z.string().max(253) });
  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/domains', role: 'reader', params: tenantPath, reply: tenantDomainList },
    async ({ tenant }) => ({
      domains: await ctx.storage.tenants.domains(tenant.id),
    }),
  );
  adminRoute(
    app,
    ctx,
    { method: 'POST', path: '/domains', role: 'global', params: tenantPath, body: tenantDomainAdd, reply: tenantDomainList, status: 201 },
    async ({ tenant, body, token }) => {
      await addTenantDomain(ctx, tenant, body.domain, token.id);
      return { domains: await ctx.storage.tenants.domains(tenant.id) };
    },
  );
  adminRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/domains/:domain', role: 'global', params: domainPath, reply: tenantDomainList },
    async ({ tenant, params, token }) => {
      const domain = domainName.safeParse(params.domain);
      await removeTenantDomain(ctx, tenant, domain.success ? domain.data : params.domain, token.id);
      return { domains: await ctx.storage.tenants.domains(tenant.id) };
    },
  );

  // Users: a page at a time, by username; the cursor is the page's last username, opaque to the caller.
  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/users', role: 'reader', params: tenantPath, query: userListQuery, reply: userList },
    async ({ tenant, query }) => {
      const after = query.cursor === undefined ? undefined : Buffer.from(query.cursor, 'base64url').toString('utf8');
      const found = await ctx.storage.users.search(tenant.id, { search: query.search, after, limit: query.limit + 1 });
      const page = found.slice(0, query.limit);
      const last = page.at(-1);
      return {
        users: page.map(showUser),
        nextCursor: found.length > query.limit && last ? Buffer.from(last.username, 'utf8').toString('base64url') : null,
      };
    },
  );
  adminRoute(
    app,
    ctx,
    { method: 'POST', path: '/users', role: 'global', params: tenantPath, body: userCreate, reply: userView, status: 201 },
    async ({ tenant, body: input, token }) => {
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
        disabledAt: null,
        passwordHash: null,
        lastMethod: null,
        createdAt: ctx.now(),
      };
      await ctx.storage.users.create(user);
      await audited(ctx, tenant, user, token, 'user.created');
      return showUser(user);
    },
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'GET', path: '/users/:username', role: 'reader', params: userPath, reply: userView },
    async ({ user }) => showUser(user),
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'PATCH', path: '/users/:username', role: 'global', params: userPath, body: userUpdate, reply: userView },
    async ({ body, user }) => showUser(await updateUser(ctx, user, body)),
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/users/:username', role: 'global', params: userPath, reply: noContent },
    async ({ tenant, token, user }) => {
      await deleteUser(ctx, tenant, user, token);
      return undefined;
    },
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'PUT', path: '/users/:username/password', role: 'global', params: userPath, body: passwordSet, reply: noContent },
    async ({ body, user }) => {
      await ctx.storage.users.update({ ...user, passwordHash: await hashPassword(body.password) });
      return undefined;
    },
  );
  /** `unblock` is the older name of `clear-risk`. */
  for (const path of ['/users/:username/unblock', '/users/:username/clear-risk']) {
    adminUserRoute(
      app,
      ctx,
      { method: 'POST', path, role: 'helpdesk', params: userPath, reply: userView },
      async ({ tenant, user, token }) => showUser(await clearRisk(ctx, tenant, user, token.id)),
    );
  }
  adminUserRoute(
    app,
    ctx,
    { method: 'GET', path: '/users/:username/limits', role: 'helpdesk', params: userPath, reply: userLimitStatus },
    async ({ tenant, user }) => {
      return userLimitState(ctx, tenant, user, await ctx.storage.policies.get(tenant.id));
    },
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'POST', path: '/users/:username/reset-limits', role: 'helpdesk', params: userPath, reply: userLimitStatus },
    async ({ tenant, token, user }) => {
      await resetLimits(ctx, tenant, user, token.id);
      return userLimitState(ctx, tenant, user, await ctx.storage.policies.get(tenant.id));
    },
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'GET', path: '/users/:username/registrations', role: 'helpdesk', params: userPath, reply: registrationList },
    async ({ tenant, user }) => {
      const registrations = await ctx.storage.registrations.listForUser(tenant.id, user.id);
      return {
        registrations: await Promise.all(registrations.map(async (r) => showRegistration(r, await ctx.storage.devices.byId(r.deviceId)))),
      };
    },
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/users/:username/registrations/:id', role: 'helpdesk', params: userItemPath, reply: noContent },
    async ({ params, token, user }) => {
      const registration = await ctx.storage.registrations.byId(params.id);
      if (!registration || registration.userId !== user.id) throw new ProblemError('registration_not_found');
      await removeRegistration(ctx, registration, { via: 'admin', username: user.username, detail: { adminToken: token.id } });
      return undefined;
    },
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'GET', path: '/users/:username/browsers', role: 'helpdesk', params: userPath, reply: registeredBrowserList },
    async ({ user }) => ({ browsers: await listRegisteredBrowsers(ctx, user) }),
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/users/:username/browsers/:id', role: 'helpdesk', params: userItemPath, reply: noContent },
    async ({ params, token, user }) => {
      await removeRegisteredBrowser(ctx, user, params.id, { via: 'admin', detail: { adminToken: token.id } });
      return undefined;
    },
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'GET', path: '/users/:username/policy', role: 'reader', params: userPath, reply: policyDecision },
    async ({ tenant, user }) => {
      return (await policyForUser(ctx, tenant, user)).decision;
    },
  );
  adminUserRoute(
    app,
    ctx,
    {
      method: 'POST',
      path: '/users/:username/temporary-access-pass',
      role: 'helpdesk',
      params: userPath,
      // No body at all: the defaults (one hour, one-time).
      body: temporaryAccessPassIssue.prefault({}),
      reply: temporaryAccessPassIssued,
      status: 201,
    },
    async ({ tenant, user, body, token }) => issueTemporaryAccessPass(ctx, tenant, user, body, token.id),
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/users/:username/temporary-access-pass', role: 'helpdesk', params: userPath, reply: noContent },
    async ({ tenant, token, user }) => {
      await ctx.storage.temporaryAccessPasses.revokeAll(tenant.id, user.id, ctx.now());
      await audited(ctx, tenant, user, token, 'temporary_access_pass.revoked', { passId: 'all' });
      return undefined;
    },
  );

  // Groups
  adminRoute(app, ctx, { method: 'GET', path: '/groups', role: 'reader', params: tenantPath, reply: groupList }, async ({ tenant }) => ({
    groups: (await ctx.storage.groups.list(tenant.id)).map(showGroup),
  }));
  adminRoute(
    app,
    ctx,
    { method: 'POST', path: '/groups', role: 'global', params: tenantPath, body: groupCreate, reply: groupView, status: 201 },
    async ({ tenant, body: input, token }) => {
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
      await audited(ctx, tenant, null, token, 'group.created', { groupId: group.id, group: group.name });
      return showGroup(group);
    },
  );
  adminRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/groups/:name', role: 'global', params: groupPath, reply: noContent },
    async ({ tenant, params, token }) => {
      const group = await requireGroup(ctx, tenant, params.name);
      const policy = await ctx.storage.policies.get(tenant.id);
      const used = [...(policy?.includeTargets ?? []), ...(policy?.excludeTargets ?? [])].some(
        (t) => t.kind === 'group' && t.id === group.id,
      );
      if (used) throw new ProblemError('conflict', `The policy targets ${group.name}; remove it from the policy first.`);
      await ctx.storage.groups.delete(tenant.id, group.id);
      await audited(ctx, tenant, null, token, 'group.deleted', { groupId: group.id, group: group.name });
      return undefined;
    },
  );
  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/groups/:name/members', role: 'reader', params: groupPath, reply: groupMembers },
    async ({ tenant, params }) => {
      const group = await requireGroup(ctx, tenant, params.name);
      return { members: (await ctx.storage.groups.members(tenant.id, group.id)).map(showUser) };
    },
  );
  // A member added to a group or removed from it (the phones of the user are told: the policy may target the group).
  for (const [method, change] of [
    ['PUT', addGroupMember],
    ['DELETE', removeGroupMember],
  ] as const) {
    adminRoute(
      app,
      ctx,
      { method, path: '/groups/:name/members/:username', role: 'global', params: memberPath, reply: noContent },
      async ({ tenant, params, token }) => {
        const group = await requireGroup(ctx, tenant, params.name);
        const user = await requireUser(ctx, tenant, params.username);
        await change(ctx, tenant, group, user, token);
        return undefined;
      },
    );
  }

  // The Authenticator policy: what an authentication policy administrator may change.
  adminRoute(app, ctx, { method: 'GET', path: '/policy', role: 'reader', params: tenantPath, reply: policyView }, async ({ tenant }) => {
    const stored = await ctx.storage.policies.get(tenant.id);
    if (!stored) throw new ProblemError('not_found', 'This tenant has no policy yet.');
    return describePolicy(ctx, tenant, stored);
  });
  adminRoute(
    app,
    ctx,
    { method: 'PUT', path: '/policy', role: 'policy', params: tenantPath, body: authenticatorPolicy, reply: policyView },
    async ({ tenant, body, token }) => {
      const stored = await savePolicy(ctx, tenant, body);
      await audited(ctx, tenant, null, token, 'policy.saved');
      return describePolicy(ctx, tenant, stored);
    },
  );

  // Admin tokens
  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/tokens', role: 'global', params: tenantPath, reply: adminTokenList },
    async ({ tenant }) => ({
      tokens: (await ctx.storage.adminTokens.list(tenant.id)).map(showToken),
    }),
  );
  adminRoute(
    app,
    ctx,
    { method: 'POST', path: '/tokens', role: 'global', params: tenantPath, body: adminTokenCreate, reply: adminTokenCreated, status: 201 },
    async ({ tenant, body }) => createAdminToken(ctx, tenant, body.role, body.label),
  );
  adminRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/tokens/:id', role: 'global', params: idPath, reply: noContent },
    async ({ tenant, params }) => {
      if (!(await ctx.storage.adminTokens.revoke(tenant.id, params.id, ctx.now()))) {
        throw new ProblemError('not_found', `No live admin token ${params.id} in ${tenant.name}.`);
      }
      return undefined;
    },
  );

  // The audit and sign-in log
  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/audit', role: 'global', params: tenantPath, query: auditQuery, reply: auditLog },
    async ({ tenant, query: filter }) => {
      const events = await ctx.storage.audit.list({
        tenantId: tenant.id,
        username: filter.user?.toLowerCase(),
        outcome: filter.outcome,
        type: filter.type,
        since: filter.since,
        until: filter.until,
        limit: filter.limit,
      });
      return { events: events.map(showAuditEvent) };
    },
  );

  // Disable and enable, devices ("lost phone"), passes by id, group rename; the sign-in log.
  accountRoutes(app, ctx);
  signInLogRoutes(app, ctx);
  reportRoutes(app, ctx);
}
