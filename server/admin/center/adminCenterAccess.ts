import type { AdminCenterRole } from '../../../shared/schemas/adminCenter';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One admin API operation, as `METHOD /path` after `/admin/t/:tenant`, with `:x` for one path segment. */
const rules = (lines: string[]) =>
  lines.map((line) => {
    const [method, path] = line.split(' ');
    return { method, pattern: new RegExp(`^${path.replace(/:[a-z]+/g, '[^/]+')}$`) };
  });

/** What a Helpdesk Administrator does beyond reading (the admin API's `helpdesk` routes). */
const helpdeskOperations = rules([
  'POST /users/:u/unblock',
  'POST /users/:u/clear-risk',
  'GET /users/:u/limits',
  'POST /users/:u/reset-limits',
  'POST /users/:u/enrollment-link',
  'GET /users/:u/registrations',
  'DELETE /users/:u/registrations/:id',
  'POST /users/:u/temporary-access-pass',
  'DELETE /users/:u/temporary-access-pass',
  'GET /users/:u/temporary-access-passes',
  'DELETE /users/:u/temporary-access-passes/:id',
  'GET /users/:u/devices',
  'DELETE /users/:u/devices/:id',
]);

/**
 * Which of the admin's roles makes this admin API call: the session holds one admin token per role,
 * and the admin API checks the token's role as for any caller. A Global Administrator's token makes
 * every call; someone both Helpdesk and Authentication Policy Administrator makes the helpdesk's
 * operations with the helpdesk token and the rest with the policy one.
 */
export function roleForCall(roles: AdminCenterRole[], method: Method, path: string): AdminCenterRole | undefined {
  if (roles.includes('global_administrator')) return 'global_administrator';
  const helpdesk = roles.includes('helpdesk_administrator');
  const policy = roles.includes('authentication_policy_administrator');
  if (helpdesk && (!policy || helpdeskOperations.some((r) => r.method === method && r.pattern.test(path)))) return 'helpdesk_administrator';
  return policy ? 'authentication_policy_administrator' : undefined;
}
