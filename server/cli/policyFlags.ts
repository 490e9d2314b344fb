import type { AuthenticatorPolicyInput } from '../../shared/schemas/policy';

/**
 * A policy body built from flags: the targets are what the admin typed, unchecked (the relay
 * validates the body and names the target at fault).
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
  if (flags.target) {
    next.includeTargets = flags.target.map((text) => {
      const [who, mode = 'any'] = text.split('=');
      if (who === 'all') return { kind: 'all_users', mode };
      const [kind, name] = who.split(/:(.*)/s);
      return { kind, name, mode };
    });
  }
  if (flags.exclude) {
    next.excludeTargets = flags.exclude.map((text) => {
      const [kind, name] = text.split(/:(.*)/s);
      return { kind, name };
    });
  }
  if (flags.showApp) next.showApplicationName = true;
  if (flags.hideApp) next.showApplicationName = false;
  if (flags.showLocation) next.showLocation = true;
  if (flags.hideLocation) next.showLocation = false;
  if (flags.requireRegisteredBrowser !== undefined) next.requireRegisteredBrowser = flags.requireRegisteredBrowser;
  return next;
}
