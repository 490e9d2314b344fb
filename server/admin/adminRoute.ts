import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordId } from '../../shared/schemas/common';
import type { RelayContext } from '../context';
import { type HandlerResult, type ReplySpec, type RouteCall, type RouteSpec, defineRoute } from '../http/defineRoute';
import type { AdminToken, Tenant, User } from '../storage/model';
import { requireUser } from '../users/requireUser';
import { type RouteRole, authenticateAdmin, requireRole } from './adminTokens';

/** The path of every admin route starts with its tenant: `/admin/t/:tenant…`. */
export const tenantPath = z.object({ tenant: z.string() });
/** `/admin/t/:tenant/users/:username…` */
export const userPath = tenantPath.extend({ username: z.string() });
/** `/admin/t/:tenant/users/:username/…/:id` */
export const userItemPath = userPath.extend({ id: recordId });
/** `/admin/t/:tenant/groups/:name…` */
export const groupPath = tenantPath.extend({ name: z.string() });

type Schema = z.ZodType | undefined;

interface Caller {
  tenant: Tenant;
  token: AdminToken;
}

/** What an admin handler receives: the parsed path, query and body, and the tenant and token of the caller. */
export type AdminCall<P extends Schema, Q extends Schema, B extends Schema> = RouteCall<P, Q, undefined, B, Caller> & Caller;

/**
 * Declare an admin route under /admin/t/:tenant: the bearer token is checked against the tenant
 * in the path and the role before anything else of the request is read; then as defineRoute.
 */
export function adminRoute<
  P extends z.ZodType<{ tenant: string }>,
  Q extends Schema = undefined,
  B extends Schema = undefined,
  R extends ReplySpec = ReplySpec,
>(
  app: FastifyInstance,
  ctx: RelayContext,
  spec: Omit<RouteSpec<P, Q, undefined, B, R, unknown>, 'url' | 'authenticate' | 'headers' | 'params'> & {
    /** After `/admin/t/:tenant`. */
    path: string;
    /** `tenantPath`, or it extended with the path's other parameters. */
    params: P;
    /** Which admin roles may call it (see `routeRoles`). */
    role: RouteRole;
  },
  handler: (call: AdminCall<P, Q, B>) => Promise<HandlerResult<R>>,
): void {
  defineRoute(
    app,
    {
      method: spec.method,
      url: `/admin/t/:tenant${spec.path}`,
      params: spec.params,
      query: spec.query,
      body: spec.body,
      reply: spec.reply,
      status: spec.status,
      authenticate: async (request, params): Promise<Caller> => {
        const caller = await authenticateAdmin(ctx, request.headers.authorization, params.tenant);
        requireRole(caller.token, spec.role);
        return caller;
      },
    },
    (call) => handler({ ...call, ...call.auth }),
  );
}

/** An admin route of one user (`/users/:username…`): as adminRoute, and the user is found (or 404) before the handler runs. */
export function adminUserRoute<
  P extends z.ZodType<{ tenant: string; username: string }>,
  Q extends Schema = undefined,
  B extends Schema = undefined,
  R extends ReplySpec = ReplySpec,
>(
  app: FastifyInstance,
  ctx: RelayContext,
  spec: Parameters<typeof adminRoute<P, Q, B, R>>[2],
  handler: (call: AdminCall<P, Q, B> & { user: User }) => Promise<HandlerResult<R>>,
): void {
  adminRoute(app, ctx, spec, async (call) => handler({ ...call, user: await requireUser(ctx, call.tenant, call.params.username) }));
}
