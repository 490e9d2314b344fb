import type { AuthenticatorPolicyInput } from '../../shared/schemas/policy';

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
): AuthenticatorPolicyInput {
  const next: AuthenticatorPolicyInput = { ...current };
  if (flags.enable) next.enabled = true;
  if (flags.disable) next.enabled = false;
  if (flags.target) {
    next.includeTargets = flags.target.map((text) => {
      const [who, mode = 'any'] = text.split('=');
      if (who === 'all') return { kind: 'all_users', mode } as never;
      const [kind, name] = who.split(/:(.*)/s);
      return { kind, name, mode } as never;
    });
  }
  if (flags.exclude) {
    next.excludeTargets = flags.exclude.map((text) => {
      const [kind, name] = text.split(/:(.*)/s);
      return { kind, name } as never;
    });
  }
  if (flags.showApp) next.showApplicationName = true;
  if (flags.hideApp) next.showApplicationName = false;
  if (flags.showLocation) next.showLocation = true;
  if (flags.hideLocation) next.showLocation = false;
  if (flags.requireRegisteredBrowser !== undefined) next.requireRegisteredBrowser = flags.requireRegisteredBrowser;
  return next;
}
