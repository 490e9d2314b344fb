import type { Mode } from '../../shared/constants';
import type { PolicyDecision } from '../../shared/schemas/policy';
import type { StoredPolicy } from '../storage/model';

export type { PolicyDecision };

const passwordlessModes: readonly Mode[] = ['any', 'passwordless'];
const pushModes: readonly Mode[] = ['any', 'push'];

/** May this mode be used for passwordless phone sign-in? (`push` forbids it.) */
export const allowsPhoneSignIn = (mode: Mode | null) => mode !== null && passwordlessModes.includes(mode);
/** May this mode be used for push approval as a second factor? */
export const allowsPushMfa = (mode: Mode | null) => mode !== null && pushModes.includes(mode);

/** Two targets that both apply give the union of what they allow. */
function combine(modes: Mode[]): Mode {
  const passwordless = modes.some((m) => passwordlessModes.includes(m));
  const push = modes.some((m) => pushModes.includes(m));
  if (passwordless && push) return 'any';
  return passwordless ? 'passwordless' : 'push';
}

/**
 * The authentication methods policy's answer for one user: allowed or not, in which mode, and
 * why. Exclusions always win. Otherwise the most specific include decides: a user target, then
 * the user's groups (together), then all users.
 */
export function evaluatePolicy(policy: StoredPolicy | undefined, user: { id: string }, groupIds: readonly string[]): PolicyDecision {
  if (!policy?.enabled) {
    return { allowed: false, mode: null, reason: 'the Authenticator method is not enabled', decidedBy: { kind: 'disabled' } };
  }
  const inGroup = new Set(groupIds);
  for (const target of policy.excludeTargets) {
    if ((target.kind === 'user' && target.id === user.id) || (target.kind === 'group' && inGroup.has(target.id))) {
      return {
        allowed: false,
        mode: null,
        reason: target.kind === 'user' ? 'the user is excluded' : 'a group of the user is excluded',
        decidedBy: { kind: 'exclude', target: target.kind, id: target.id },
      };
    }
  }
  const userTarget = policy.includeTargets.find((t) => t.kind === 'user' && t.id === user.id);
  if (userTarget) {
    return {
      allowed: true,
      mode: userTarget.mode,
      reason: 'the user is targeted',
      decidedBy: { kind: 'include', target: 'user', id: user.id },
    };
  }
  const groupTargets = policy.includeTargets.flatMap((t) => (t.kind === 'group' && inGroup.has(t.id) ? [{ id: t.id, mode: t.mode }] : []));
  if (groupTargets.length > 0) {
    return {
      allowed: true,
      mode: combine(groupTargets.map((t) => t.mode)),
      reason: 'a group of the user is targeted',
      decidedBy: { kind: 'include', target: 'group', id: groupTargets[0].id },
    };
  }
  const all = policy.includeTargets.find((t) => t.kind === 'all_users');
  if (all) {
    return { allowed: true, mode: all.mode, reason: 'all users are targeted', decidedBy: { kind: 'include', target: 'all_users' } };
  }
  return { allowed: false, mode: null, reason: 'the user is not targeted', decidedBy: { kind: 'none' } };
}
