import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { createAdminToken } from '../admin/adminTokens';
import { showTenant } from '../admin/views';
import { createApp } from '../createApp';
import { parseWith } from '../http/parseWith';
import { startProblem } from '../startProblem';
import { ProblemError } from '../http/problem';
import { tenantCreate } from '../../shared/schemas/directory';
import { readProblem } from '../../shared/relay/readProblem';
import { policyView } from '../../shared/schemas/policy';
import { createTenant } from '../tenants/createTenant';
import { requireTenant } from '../tenants/requireTenant';
import { policyFromFlags } from './policyFlags';
import { runAdminCall } from './runAdminCall';

const usage = `nod admin — manage a Nod relay from its own machine (uses NOD_DATA_DIR, default ./data)

  nod admin tenant create <name> [--display-name N] [--origin URL]...
  nod admin tenant list
  nod admin token create <tenant> [--role global|policy] [--label L]
  nod admin user create <tenant> <username> [--display-name N] [--guest]
  nod admin user list <tenant>
  nod admin user password <tenant> <username> --password P
  nod admin user unblock <tenant> <username>
  nod admin group create <tenant> <name>
  nod admin group add <tenant> <group> <username>
  nod admin group remove <tenant> <group> <username>
  nod admin policy show <tenant>
  nod admin policy set <tenant> [--enable|--disable] [--target all|group:G|user:U[=any|passwordless|push]]...
                                [--exclude group:G|user:U]... [--show-app|--hide-app] [--show-location|--hide-location]
  nod admin policy why <tenant> <username>
  nod admin tap issue <tenant> <username> [--lifetime MINUTES] [--multi-use]
  nod admin audit <tenant> [--user U] [--outcome O] [--limit N]
  nod admin client create <tenant> <display name> --redirect-uri URL... [--post-logout-uri URL]... [--client-id ID] [--public]
  nod admin client list <tenant>
  nod admin client delete <tenant> <client id>
`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'display-name': { type: 'string' },
      origin: { type: 'string', multiple: true },
      role: { type: 'string' },
      label: { type: 'string' },
      guest: { type: 'boolean' },
      password: { type: 'string' },
      enable: { type: 'boolean' },
      disable: { type: 'boolean' },
      target: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'show-app': { type: 'boolean' },
      'hide-app': { type: 'boolean' },
      'show-location': { type: 'boolean' },
      'hide-location': { type: 'boolean' },
      lifetime: { type: 'string' },
      'multi-use': { type: 'boolean' },
      user: { type: 'string' },
      outcome: { type: 'string' },
      limit: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-uri': { type: 'string', multiple: true },
      'client-id': { type: 'string' },
      public: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [scope, noun, verb, ...rest] = positionals;
  if (values.help || scope !== 'admin' || !noun) {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  const config = { ...loadConfig(), logLevel: 'silent' as const };
  let relay: Awaited<ReturnType<typeof createApp>>;
  try {
    relay = await createApp(config);
  } catch (error) {
    const problem = startProblem(error, config);
    if (!problem) throw error;
    process.stderr.write(`nod: ${problem}\n`);
    return 2;
  }
  const { app, ctx } = relay;
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  /** Print an admin API answer, or its problem in one line; the exit code. */
  const report = async (result: { status: number; body: unknown }) => {
    if (result.status >= 400) {
      const problem = await readProblem(new Response(JSON.stringify(result.body ?? null), { status: result.status }));
      process.stderr.write(`nod: ${problem.detail ?? `error ${result.status}`}\n`);
      return 1;
    }
    if (result.body !== undefined) print(result.body);
    return 0;
  };
  const call = async (tenant: string, method: Parameters<typeof runAdminCall>[3], path: string, body?: unknown) =>
    report(await runAdminCall(app, ctx, tenant, method, path, body));
  const enc = encodeURIComponent;
  try {
    const [a, b, c] = rest;
    // `audit <tenant>` has no verb: its second word is the tenant.
    switch (noun === 'audit' ? 'audit' : `${noun} ${verb ?? ''}`.trim()) {
      case 'tenant create':
        print(
          showTenant(
            await createTenant(
              ctx,
              parseWith(tenantCreate, { name: a, displayName: values['display-name'], signInOrigins: values.origin ?? [] }),
            ),
          ),
        );
        return 0;
      case 'tenant list':
        print(
          (await ctx.storage.tenants.list()).map((t) => ({ name: t.name, displayName: t.displayName, signInOrigins: t.signInOrigins })),
        );
        return 0;
      case 'token create': {
        const tenant = await requireTenant(ctx, a);
        const role = values.role === 'policy' ? 'authentication_policy_administrator' : 'global_administrator';
        print(await createAdminToken(ctx, tenant, role, values.label ?? 'cli'));
        return 0;
      }
      case 'user create':
        return await call(a, 'POST', '/users', {
          username: b,
          displayName: values['display-name'],
          kind: values.guest ? 'guest' : 'member',
        });
      case 'user list':
        return await call(a, 'GET', '/users');
      case 'user password':
        return await call(a, 'PUT', `/users/${enc(b)}/password`, { password: values.password });
      case 'user unblock':
        return await call(a, 'POST', `/users/${enc(b)}/unblock`);
      case 'group create':
        return await call(a, 'POST', '/groups', { name: b, displayName: values['display-name'] });
      case 'group add':
        return await call(a, 'PUT', `/groups/${enc(b)}/members/${enc(c)}`);
      case 'group remove':
        return await call(a, 'DELETE', `/groups/${enc(b)}/members/${enc(c)}`);
      case 'policy show':
        return await call(a, 'GET', '/policy');
      case 'policy why':
        return await call(a, 'GET', `/users/${enc(b)}/policy`);
      case 'policy set': {
        const current = await runAdminCall(app, ctx, a, 'GET', '/policy');
        if (current.status >= 400) return await report(current);
        const body = policyFromFlags(
          {
            enable: values.enable,
            disable: values.disable,
            target: values.target,
            exclude: values.exclude,
            showApp: values['show-app'],
            hideApp: values['hide-app'],
            showLocation: values['show-location'],
            hideLocation: values['hide-location'],
          },
          parseWith(policyView, current.body, 'policy'),
        );
        return await call(a, 'PUT', '/policy', body);
      }
      case 'tap issue':
        return await call(a, 'POST', `/users/${enc(b)}/temporary-access-pass`, {
          ...(values.lifetime ? { lifetimeMinutes: Number(values.lifetime) } : {}),
          oneTime: !values['multi-use'],
        });
      case 'audit': {
        const query = new URLSearchParams();
        if (values.user) query.set('user', values.user);
        if (values.outcome) query.set('outcome', values.outcome);
        if (values.limit) query.set('limit', values.limit);
        return await call(verb, 'GET', `/audit?${query}`);
      }
      case 'client create':
        return await call(a, 'POST', '/clients', {
          displayName: b,
          redirectUris: values['redirect-uri'] ?? [],
          postLogoutRedirectUris: values['post-logout-uri'] ?? [],
          ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
          type: values.public ? 'public' : 'confidential',
        });
      case 'client list':
        return await call(a, 'GET', '/clients');
      case 'client delete':
        return await call(a, 'DELETE', `/clients/${enc(b)}`);
      default:
        process.stderr.write(`nod: unknown command "${noun} ${verb ?? ''}"\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ProblemError) {
      process.stderr.write(`nod: ${error.detail ?? error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await app.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof ConfigError) {
      for (const line of error.problems) process.stderr.write(`nod: ${line}\n`);
      process.exit(2);
    }
    process.stderr.write(`nod: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
