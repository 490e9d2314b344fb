import { parseArgs } from 'node:util';
import { auditOutcomes, signInMethods } from '../../shared/schemas/directory';
import { loadConfig } from '../config';
import { createAdminToken } from '../admin/adminTokens';
import { showTenant } from '../admin/views';
import type { RelayApp } from '../createApp';
import { openRelay, refusalLines } from '../openRelay';
import { rotateSecretsKey } from '../secrets/secretBox';
import { resealSecrets } from '../secrets/sealSecretsAtRest';
import { parseWith } from '../http/parseWith';
import { ProblemError } from '../http/problem';
import { tenantCreate } from '../../shared/schemas/directory';
import { readProblem } from '../../shared/relay/readProblem';
import { type PolicyView, policyView } from '../../shared/schemas/policy';
import { createTenant } from '../tenants/createTenant';
import { requireTenant } from '../tenants/requireTenant';
import { recordedPublicUrl } from '../publicUrlRecord';
import type { AdminRole } from '../storage/model';
import { UsageError } from './UsageError';
import { excludeTargetFrom, includeTargetFrom, policyFromFlags, sameTarget, spellTarget } from './policyFlags';
import { relayDataProblem } from './relayDataProblem';
import { adminRoleCommand, adminRoleUsage, roleArgument } from './adminRoleCommand';
import { runAdminCall } from './runAdminCall';

const usage = `nod admin — manage a Nod relay from its own machine (uses NOD_DATA_DIR, default ./data)

Every command but "tenant create" refuses a data directory that holds no relay data; --init starts one there.
Issuers are printed from NOD_PUBLIC_URL, else from the URL the relay last started with on this data directory.
Exit codes: 0 done, 1 refused by the relay (the line says why), 2 a usage error (unknown flag, missing argument, bad value).

  nod admin tenant create <name> [--display-name N] [--origin URL]...
  nod admin tenant list
  nod admin tenant domain add <tenant> <domain>     (home realm discovery: usernames @domain belong to the tenant)
  nod admin tenant domain remove <tenant> <domain>
  nod admin tenant domain list <tenant>
  nod admin token create <tenant> [--role global|policy|helpdesk] [--label L]
  nod admin token list <tenant>
  nod admin token revoke <tenant> <token id>
  nod admin user create <tenant> <username> [--display-name N] [--guest]
  nod admin user list <tenant> [--search TEXT] [--limit N] [--cursor C]
  nod admin user password <tenant> <username> --password P
  nod admin user status <tenant> <username>        (limits, locks, held pushes, reports)
  nod admin user reset-limits <tenant> <username>  (failure counts, locks and push budgets start over)
  nod admin user clear-risk <tenant> <username>    (after "No, it's not me": pushes no longer held; alias: unblock)
  nod admin user disable <tenant> <username>
  nod admin user enable <tenant> <username>
  nod admin user delete <tenant> <username>
  nod admin group create <tenant> <name>
  nod admin group list <tenant>
  nod admin group rename <tenant> <group> <new name> [--display-name N]
  nod admin group add <tenant> <group> <username>
  nod admin group remove <tenant> <group> <username>
  nod admin device list <tenant> <username>
  nod admin device remove <tenant> <username> <device id>
  nod admin policy show <tenant>
  nod admin policy target add <tenant> all|group:G|user:U[=any|passwordless|push]
  nod admin policy target remove <tenant> all|group:G|user:U
  nod admin policy set <tenant> [--enable|--disable] [--target all|group:G|user:U[=any|passwordless|push]]...
                                [--exclude group:G|user:U]... [--show-app|--hide-app] [--show-location|--hide-location]
      (--target and --exclude REPLACE every target or exclusion; to add or remove one, use policy target add|remove)
  nod admin policy why <tenant> <username>
  nod admin tap issue <tenant> <username> [--lifetime MINUTES] [--multi-use]
  nod admin pass list <tenant> <username>
  nod admin pass revoke <tenant> <username> <pass id>
  nod admin audit <tenant> [--user U] [--outcome O] [--limit N]
  nod admin sign-ins <tenant> [--user U] [--outcome O] [--method M] [--limit N]
  nod admin client create <tenant> <display name> --redirect-uri URL... [--post-logout-uri URL]... [--client-id ID] [--public]
  nod admin client list <tenant>
  nod admin client delete <tenant> <client id>
  nod admin secrets rotate-key
${adminRoleUsage}`;

/** The arguments each command needs, as the usage names them. Commands not listed here check their own. */
const commandArguments: Record<string, string[]> = {
  'tenant create': ['<name>'],
  'tenant list': [],
  'tenant domain add': ['<tenant>', '<domain>'],
  'tenant domain remove': ['<tenant>', '<domain>'],
  'tenant domain list': ['<tenant>'],
  'token create': ['<tenant>'],
  'token list': ['<tenant>'],
  'token revoke': ['<tenant>', '<token id>'],
  'user create': ['<tenant>', '<username>'],
  'user list': ['<tenant>'],
  'user password': ['<tenant>', '<username>'],
  'user unblock': ['<tenant>', '<username>'],
  'user clear-risk': ['<tenant>', '<username>'],
  'user status': ['<tenant>', '<username>'],
  'user reset-limits': ['<tenant>', '<username>'],
  'user disable': ['<tenant>', '<username>'],
  'user enable': ['<tenant>', '<username>'],
  'user delete': ['<tenant>', '<username>'],
  'group create': ['<tenant>', '<name>'],
  'group list': ['<tenant>'],
  'group rename': ['<tenant>', '<group>', '<new name>'],
  'group add': ['<tenant>', '<group>', '<username>'],
  'group remove': ['<tenant>', '<group>', '<username>'],
  'device list': ['<tenant>', '<username>'],
  'device remove': ['<tenant>', '<username>', '<device id>'],
  'policy show': ['<tenant>'],
  'policy set': ['<tenant>'],
  'policy target add': ['<tenant>', '<target>'],
  'policy target remove': ['<tenant>', '<target>'],
  'policy why': ['<tenant>', '<username>'],
  'tap issue': ['<tenant>', '<username>'],
  'pass list': ['<tenant>', '<username>'],
  'pass revoke': ['<tenant>', '<username>', '<pass id>'],
  audit: ['<tenant>'],
  'sign-ins': ['<tenant>'],
  'client create': ['<tenant>', '<display name>'],
  'client list': ['<tenant>'],
  'client delete': ['<tenant>', '<client id>'],
  'secrets rotate-key': [],
  'role assign': ['<tenant>', '<username>', '<role>'],
  'role unassign': ['<tenant>', '<username>', '<role>'],
  'role list': ['<tenant>', '<username>'],
};

/** Body fields of the admin API as the flags that set them: a refusal names the flag. */
const flagOfField: Record<string, string> = {
  domain: '<domain>',
  lifetimeMinutes: '--lifetime',
  oneTime: '--multi-use',
  password: '--password',
  displayName: '--display-name',
  signInOrigins: '--origin',
  role: '--role',
  label: '--label',
  redirectUris: '--redirect-uri',
  postLogoutRedirectUris: '--post-logout-uri',
  clientId: '--client-id',
  includeTargets: '--target',
  excludeTargets: '--exclude',
  search: '--search',
  cursor: '--cursor',
  limit: '--limit',
  user: '--user',
};

const roleOfFlag: Record<string, AdminRole> = {
  global: 'global_administrator',
  policy: 'authentication_policy_administrator',
  helpdesk: 'helpdesk_administrator',
};

/** A flag's value that must be one of `allowed`. */
function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag}: one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** A flag's value that must be a whole number (`what` says of what). */
function wholeNumber(flag: string, value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`${flag}: a whole number of ${what}, got ${JSON.stringify(value)}`);
  return Number(value);
}

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
      method: { type: 'string' },
      limit: { type: 'string' },
      search: { type: 'string' },
      cursor: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-uri': { type: 'string', multiple: true },
      'client-id': { type: 'string' },
      public: { type: 'boolean' },
      init: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [scope, noun, ...words] = positionals;
  if (values.help || scope !== 'admin' || !noun) {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  // `audit <tenant>` and `sign-ins <tenant>` have no verb; `policy target add|remove` and `tenant domain …` have two words.
  const verbWords =
    noun === 'audit' || noun === 'sign-ins'
      ? 0
      : (noun === 'policy' && words[0] === 'target') || (noun === 'tenant' && words[0] === 'domain')
        ? 2
        : 1;
  const command = [noun, ...words.slice(0, verbWords)].join(' ');
  const rest = words.slice(verbWords);
  const needed = commandArguments[command];
  if (!needed) throw new UsageError(`unknown command "${[noun, ...words.slice(0, Math.max(verbWords, 1))].join(' ')}"\n\n${usage}`);
  const usageLine = usage
    .split('\n')
    .find((line) => line.trim().startsWith(`nod admin ${command} `) || line.trim() === `nod admin ${command}`);
  if (rest.length < needed.length) throw new UsageError(`missing ${needed[rest.length]}: ${usageLine?.trim() ?? command}`);
  if (rest.length > needed.length)
    throw new UsageError(`unexpected argument ${JSON.stringify(rest[needed.length])}: ${usageLine?.trim() ?? command}`);

  // Flag values are checked before anything is opened.
  const role = oneOf('--role', values.role, Object.keys(roleOfFlag));
  const lifetime = wholeNumber('--lifetime', values.lifetime, 'minutes');
  const limit = wholeNumber('--limit', values.limit, 'entries');
  const outcome = oneOf('--outcome', values.outcome, auditOutcomes);
  const method = oneOf('--method', values.method, signInMethods);
  for (const text of values.target ?? []) includeTargetFrom('--target', text);
  for (const text of values.exclude ?? []) excludeTargetFrom('--exclude', text);
  if (command.startsWith('policy target ')) includeTargetFrom('<target>', rest[1]);
  const adminRole = roleArgument(command, rest);

  const config = { ...loadConfig(), logLevel: 'silent' as const };
  if (!process.env.NOD_PUBLIC_URL) {
    const recorded = recordedPublicUrl(config.dataDir);
    if (recorded) config.publicUrl = recorded;
  }
  if (command !== 'tenant create' && !values.init) {
    const problem = await relayDataProblem(config);
    if (problem) throw new UsageError(problem);
  }
  // Only the admin API is loaded; the OpenID Connect provider only for `client` commands, which check a client with it.
  const relay = await openRelay(config, { routes: noun === 'client' ? 'admin+clients' : 'admin' });
  const { app, ctx } = relay;
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  /** Print an admin API answer, or its problem in one line (naming the flag of a refused field); the exit code. */
  const report = async (result: { status: number; body: unknown }) => {
    if (result.status >= 400) {
      const problem = await readProblem(new Response(JSON.stringify(result.body ?? null), { status: result.status }));
      const field = problem.field ?? '';
      const flag = flagOfField[field.split(/[.[]/)[0]];
      const message = problem.errors?.[0]?.message;
      const line =
        flag && message ? `${flag}${field in flagOfField ? '' : ` (${field})`}: ${message}` : (problem.detail ?? `error ${result.status}`);
      process.stderr.write(`nod: ${line}\n`);
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
    switch (command) {
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
      case 'tenant domain add':
        return await call(a, 'POST', '/domains', { domain: b });
      case 'tenant domain remove':
        return await call(a, 'DELETE', `/domains/${enc(b)}`);
      case 'tenant domain list':
        return await call(a, 'GET', '/domains');
      case 'token create': {
        const tenant = await requireTenant(ctx, a);
        print(await createAdminToken(ctx, tenant, roleOfFlag[role ?? 'global'], values.label ?? 'cli'));
        return 0;
      }
      case 'user create':
        return await call(a, 'POST', '/users', {
          username: b,
          displayName: values['display-name'],
          kind: values.guest ? 'guest' : 'member',
        });
      case 'user list': {
        const query = new URLSearchParams();
        if (values.search !== undefined) query.set('search', values.search);
        if (limit !== undefined) query.set('limit', String(limit));
        if (values.cursor !== undefined) query.set('cursor', values.cursor);
        return await call(a, 'GET', `/users?${query}`);
      }
      case 'user password':
        return await call(a, 'PUT', `/users/${enc(b)}/password`, { password: values.password });
      case 'user unblock':
      case 'user clear-risk':
        return await call(a, 'POST', `/users/${enc(b)}/clear-risk`);
      case 'user status':
        return await call(a, 'GET', `/users/${enc(b)}/limits`);
      case 'user reset-limits':
        return await call(a, 'POST', `/users/${enc(b)}/reset-limits`);
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
        const before = parseWith(policyView, current.body, 'policy');
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
          before,
        );
        const code = await call(a, 'PUT', '/policy', body);
        if (code === 0) noteReplaced(before, values.target !== undefined, values.exclude !== undefined);
        return code;
      }
      case 'tap issue':
        return await call(a, 'POST', `/users/${enc(b)}/temporary-access-pass`, {
          ...(lifetime !== undefined ? { lifetimeMinutes: lifetime } : {}),
          oneTime: !values['multi-use'],
        });
      case 'audit': {
        const query = new URLSearchParams();
        if (values.user) query.set('user', values.user);
        if (outcome) query.set('outcome', outcome);
        if (limit !== undefined) query.set('limit', String(limit));
        return await call(a, 'GET', `/audit?${query}`);
      }
      case 'client create':
        return await call(a, 'POST', '/clients', {
          displayName: b,
          redirectUris: values['redirect-uri'] ?? [],
          postLogoutRedirectUris: values['post-logout-uri'] ?? [],
          ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
          type: values.public ? 'public' : 'confidential',
        });
      case 'role assign':
      case 'role unassign':
      case 'role list':
        return await adminRoleCommand(ctx, command, rest, adminRole);
      case 'client list':
        return await call(a, 'GET', '/clients');
      case 'client delete':
        return await call(a, 'DELETE', `/clients/${enc(b)}`);
      case 'secrets rotate-key': {
        // A new key seals from now on; what the old one sealed is re-sealed at once (and by every relay's next start).
        const box = rotateSecretsKey(config.dataDir);
        print({ keyId: box.keyId, resealed: await resealSecrets(ctx.storage, box) });
        return 0;
      }
      default:
        return await adminCenterCommand(command, rest, { app, ctx, call, report, method, outcome, limit, values });
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

/** `policy set` replaces: say so when it replaced the targets or exclusions, with what they were. */
function noteReplaced(before: PolicyView, targets: boolean, exclusions: boolean): void {
  const spell = (list: Array<{ kind: string; name?: string; mode?: string }>) => list.map(spellTarget).join(' ') || 'none';
  if (targets) process.stderr.write(`note: policy set replaced every target (they were: ${spell(before.includeTargets)})\n`);
  if (exclusions) process.stderr.write(`note: policy set replaced every exclusion (they were: ${spell(before.excludeTargets)})\n`);
}

interface CommandKit {
  app: RelayApp['app'];
  ctx: RelayApp['ctx'];
  call: (tenant: string, method: Parameters<typeof runAdminCall>[3], path: string, body?: unknown) => Promise<number>;
  report: (result: { status: number; body: unknown }) => Promise<number>;
  method: string | undefined;
  outcome: string | undefined;
  limit: number | undefined;
  values: { user?: string; 'display-name'?: string };
}

/** The commands for what the admin center does: users' lifecycle, devices, passes, groups, tokens, targets, the sign-in log. */
async function adminCenterCommand(command: string, rest: string[], kit: CommandKit): Promise<number> {
  const { app, ctx, call, report } = kit;
  const enc = encodeURIComponent;
  const [a, b, c] = rest;
  switch (command) {
    case 'user disable':
      return await call(a, 'POST', `/users/${enc(b)}/disable`);
    case 'user enable':
      return await call(a, 'POST', `/users/${enc(b)}/enable`);
    case 'user delete':
      return await call(a, 'DELETE', `/users/${enc(b)}`);
    case 'group list':
      return await call(a, 'GET', '/groups');
    case 'group rename':
      return await call(a, 'PATCH', `/groups/${enc(b)}`, { name: c, displayName: kit.values['display-name'] });
    case 'device list':
      return await call(a, 'GET', `/users/${enc(b)}/devices`);
    case 'device remove':
      return await call(a, 'DELETE', `/users/${enc(b)}/devices/${enc(c)}`);
    case 'pass list':
      return await call(a, 'GET', `/users/${enc(b)}/temporary-access-passes`);
    case 'pass revoke':
      return await call(a, 'DELETE', `/users/${enc(b)}/temporary-access-passes/${enc(c)}`);
    case 'token list': {
      // Live tokens only, and not the one this command used.
      const listed = await runAdminCall(app, ctx, a, 'GET', '/tokens');
      if (listed.status >= 400) return await report(listed);
      const { tokens } = listed.body as { tokens: Array<{ id: string; revokedAt: string | null }> };
      return await report({ status: 200, body: { tokens: tokens.filter((t) => t.id !== listed.tokenId && t.revokedAt === null) } });
    }
    case 'token revoke':
      return await call(a, 'DELETE', `/tokens/${enc(b)}`);
    case 'policy target add':
    case 'policy target remove': {
      const target = includeTargetFrom('<target>', b);
      const current = await runAdminCall(app, ctx, a, 'GET', '/policy');
      if (current.status >= 400) return await report(current);
      const policy = parseWith(policyView, current.body, 'policy');
      const others = policy.includeTargets.filter((t) => !sameTarget(t, target));
      if (command === 'policy target remove' && others.length === policy.includeTargets.length) {
        process.stderr.write(`nod: the policy has no target ${spellTarget({ ...target, mode: undefined })}\n`);
        return 1;
      }
      const includeTargets = command === 'policy target add' ? [...others, target] : others;
      return await call(a, 'PUT', '/policy', { ...policy, includeTargets });
    }
    case 'sign-ins': {
      const query = new URLSearchParams();
      if (kit.values.user) query.set('user', kit.values.user);
      if (kit.outcome) query.set('outcome', kit.outcome);
      if (kit.method) query.set('method', kit.method);
      if (kit.limit !== undefined) query.set('limit', String(kit.limit));
      return await call(a, 'GET', `/sign-ins?${query}`);
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${usage}`);
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_')) {
      process.stderr.write(`nod: ${(error as Error).message}\n`);
      process.exit(2);
    }
    const refusal = refusalLines(error);
    if (refusal) {
      for (const line of refusal) process.stderr.write(`nod: ${line}\n`);
      process.exit(2);
    }
    process.stderr.write(`nod: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
