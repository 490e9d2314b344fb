import type { FastifyInstance } from 'fastify';
import { noContent } from '../../shared/schemas/common';
import { userDeviceList } from '../../shared/schemas/devices';
import { groupUpdate, groupView, userView } from '../../shared/schemas/directory';
import { temporaryAccessPassList } from '../../shared/schemas/enrollment';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { removeDeviceOfUser } from '../registrations/removeDeviceOfUser';
import { disableUser, enableUser } from '../users/disableUser';
import { requireGroup } from '../users/requireUser';
import { audited } from './adminAudit';
import { adminRoute, adminUserRoute, groupPath, userItemPath, userPath } from './adminRoute';
import { showDevice, showGroup, showPass, showUser } from './views';

/**
 * The admin API's account work: disable and enable a user (Global Administrator), a user's
 * devices and their removal and a user's passes by id (Helpdesk), renaming a group (Global).
 */
export function accountRoutes(app: FastifyInstance, ctx: RelayContext): void {
  // Disable: no sign-in by any method, no enrollment, and what was under way ends (requests, sessions).
  adminUserRoute(
    app,
    ctx,
    { method: 'POST', path: '/users/:username/disable', role: 'global', params: userPath, reply: userView },
    async ({ tenant, token, user }) => showUser(await disableUser(ctx, tenant, user, { adminToken: token.id })),
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'POST', path: '/users/:username/enable', role: 'global', params: userPath, reply: userView },
    async ({ tenant, token, user }) => showUser(await enableUser(ctx, tenant, user, { adminToken: token.id })),
  );

  // Devices: each phone with the user's registrations on it, and each browser registered for the user.
  adminUserRoute(
    app,
    ctx,
    { method: 'GET', path: '/users/:username/devices', role: 'helpdesk', params: userPath, reply: userDeviceList },
    async ({ tenant, user }) => {
      const [devices, registrations] = await Promise.all([
        ctx.storage.devices.listForUser(tenant.id, user.id),
        ctx.storage.registrations.listForUser(tenant.id, user.id),
      ]);
      return {
        devices: devices.map((d) =>
          showDevice(
            d,
            registrations.filter((r) => r.deviceId === d.id),
          ),
        ),
      };
    },
  );
  // "Lost phone": the device can no longer sign the user in, approve, or take codes, and the
  // user's sessions end (whichever of them the device approved). Other accounts on it keep theirs.
  adminUserRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/users/:username/devices/:id', role: 'helpdesk', params: userItemPath, reply: noContent },
    async ({ tenant, params, token, user }) => {
      await removeDeviceOfUser(ctx, tenant, user, params.id, {
        via: 'admin',
        detail: { adminToken: token.id },
        notFound: `${user.username} has no device ${params.id}.`,
      });
      return undefined;
    },
  );

  // Temporary Access Passes by id: the list never shows a pass, only its state.
  adminUserRoute(
    app,
    ctx,
    { method: 'GET', path: '/users/:username/temporary-access-passes', role: 'helpdesk', params: userPath, reply: temporaryAccessPassList },
    async ({ tenant, user }) => {
      const now = ctx.now();
      return { passes: (await ctx.storage.temporaryAccessPasses.listForUser(tenant.id, user.id)).map((p) => showPass(p, now)) };
    },
  );
  adminUserRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/users/:username/temporary-access-passes/:id', role: 'helpdesk', params: userItemPath, reply: noContent },
    async ({ tenant, params, token, user }) => {
      const pass = (await ctx.storage.temporaryAccessPasses.listForUser(tenant.id, user.id)).find((p) => p.id === params.id);
      if (!pass || !(await ctx.storage.temporaryAccessPasses.revoke(tenant.id, pass.id, ctx.now()))) {
        throw new ProblemError('not_found', `${user.username} has no unused, unrevoked pass ${params.id}.`);
      }
      await audited(ctx, tenant, user, token, 'temporary_access_pass.revoked', { passId: pass.id });
      return undefined;
    },
  );

  // Rename a group: the policy targets it by id, so they follow.
  adminRoute(
    app,
    ctx,
    { method: 'PATCH', path: '/groups/:name', role: 'global', params: groupPath, body: groupUpdate, reply: groupView },
    async ({ tenant, params, body, token }) => {
      const group = await requireGroup(ctx, tenant, params.name);
      if (body.name !== undefined && body.name !== group.name && (await ctx.storage.groups.byName(tenant.id, body.name))) {
        throw new ProblemError('conflict', `A group named ${body.name} exists in ${tenant.name}.`, {
          errors: [{ field: 'name', message: 'taken' }],
        });
      }
      const updated = { ...group, name: body.name ?? group.name, displayName: body.displayName ?? group.displayName };
      await ctx.storage.groups.update(updated);
      await audited(ctx, tenant, null, token, 'group.renamed', { groupId: group.id, from: group.name, to: updated.name });
      return showGroup(updated);
    },
  );
}
