import { modes } from '../../shared/constants';
import type { AuthenticatorPolicyInput } from '../../shared/schemas/policy';
import { UsageError } from './UsageError';

/**
 * A policy body built from flags: the targets' shape is checked here (a usage error names the
 * flag); that the group or user exists, the relay checks and names the target at fault.
 */
export type PolicyFlagsBody = Omit<AuthenticatorPolicyInput, 'includeTargets' | 'excludeTargets'> & {
  includeTargets?: Array<{ kind: string; name?: string; mode?: string }>;
  excludeTargets?: Array<{ kind: string; name: string }>;
};

/**
 * Turn `--target group:Sales=any --target all --exclude user:eve` style flags into a policy body.
 * A target is `all`, `group:NAME` or `user:NAME`, optionally `=MODE` (any, passwordless, push).
 */
export function policyFromFlags(
  flags: {
    enable?: boolean;
    disable?: boolean;
    target?: string[];
    exclude?: string[];
    showApp?: boolean;
    hideApp?: boolean;
    showLocation?: boolean;
    hideLocation?: boolean;
    requireRegisteredBrowser?: boolean;
  },
  current: AuthenticatorPolicyInput,
): PolicyFlagsBody {
  const next: PolicyFlagsBody = { ...current };
  if (flags.enable) next.enabled = true;
  if (flags.disable) next.enabled = false;
  if (flags.target) next.includeTargets = flags.target.map((text) => includeTargetFrom('--target', text));
  if (flags.exclude) next.excludeTargets = flags.exclude.map((text) => excludeTargetFrom('--exclude', text));
  if (flags.showApp) next.showApplicationName = true;
  if (flags.hideApp) next.showApplicationName = false;
  if (flags.showLocation) next.showLocation = true;
  if (flags.hideLocation) next.showLocation = false;
  if (flags.requireRegisteredBrowser !== undefined) next.requireRegisteredBrowser = flags.requireRegisteredBrowser;
  return next;
}

type IncludeTarget = { kind: string; name?: string; mode: string };

/** `all`, `group:NAME` or `user:NAME`, optionally `=MODE`; a usage error naming `what` (the flag or argument) otherwise. */
export function includeTargetFrom(what: string, text: string): IncludeTarget {
  const at = text.lastIndexOf('=');
  const who = at === -1 ? text : text.slice(0, at);
  const mode = at === -1 ? 'any' : text.slice(at + 1);
  if (!(modes as readonly string[]).includes(mode)) {
    throw new UsageError(`${what}: the mode after "=" is one of ${modes.join(', ')}, got ${JSON.stringify(text)}`);
  }
  if (who === 'all') return { kind: 'all_users', mode };
  const { kind, name } = namedTarget(what, who, 'all, group:NAME or user:NAME, optionally =any|passwordless|push');
  return { kind, name, mode };
}

/** `group:NAME` or `user:NAME`. */
export function excludeTargetFrom(what: string, text: string): { kind: string; name: string } {
  return namedTarget(what, text, 'group:NAME or user:NAME');
}

function namedTarget(what: string, text: string, expected: string): { kind: string; name: string } {
  const match = /^(group|user):(.+)$/s.exec(text);
  if (!match) throw new UsageError(`${what}: expected ${expected}, got ${JSON.stringify(text)}`);
  return { kind: match[1], name: match[2] };
}

/** The same target (the mode aside): `all` is one, a group or user is one by kind and name. */
export const sameTarget = (a: { kind: string; name?: string }, b: { kind: string; name?: string }) =>
  a.kind === b.kind && (a.kind === 'all_users' || a.name === b.name);

/** A target as the flags spell it: `group:Sales=any`. */
export const spellTarget = (t: { kind: string; name?: string; mode?: string }) =>
  `${t.kind === 'all_users' ? 'all' : `${t.kind}:${t.name}`}${t.mode ? `=${t.mode}` : ''}`;
