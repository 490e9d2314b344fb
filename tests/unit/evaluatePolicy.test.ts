import { fatigueLimits } from '../../shared/schemas/policy';
import { describe, expect, it } from 'vitest';
import type { Mode } from '../../shared/constants';
import { allowsPhoneSignIn, allowsPushMfa, evaluatePolicy } from '../../server/policy/evaluatePolicy';
import type { StoredExcludeTarget, StoredIncludeTarget, StoredPolicy } from '../../server/storage/model';

// One user, a member of Sales (and of nothing else); Marketing is a group the user is not in.
const user = { id: 'u-alice' };
const sales = 'g-sales';
const marketing = 'g-marketing';
const groupsOfUser = [sales];

function policy(includeTargets: StoredIncludeTarget[], excludeTargets: StoredExcludeTarget[] = [], enabled = true): StoredPolicy {
  return {
    enabled,
    includeTargets,
    excludeTargets,
    showApplicationName: true,
    showLocation: true,
    requireRegisteredBrowser: false,
    limits: fatigueLimits.parse({}),
    updatedAt: 0,
  };
}

const modes: Mode[] = ['any', 'passwordless', 'push'];
const includeOf = {
  all_users: (mode: Mode): StoredIncludeTarget => ({ kind: 'all_users', mode }),
  group: (mode: Mode): StoredIncludeTarget => ({ kind: 'group', id: sales, mode }),
  user: (mode: Mode): StoredIncludeTarget => ({ kind: 'user', id: user.id, mode }),
};
const excludeOf = {
  group: { kind: 'group', id: sales } as StoredExcludeTarget,
  user: { kind: 'user', id: user.id } as StoredExcludeTarget,
};
const includeKinds = ['all_users', 'group', 'user'] as const;
const excludeKinds = ['group', 'user'] as const;

describe('journey 1: the authentication methods policy answers for one user', () => {
  describe('an included target decides the mode', () => {
    const rows = includeKinds.flatMap((kind) => modes.map((mode) => ({ kind, mode })));
    it.each(rows)('targeting $kind in $mode mode allows the user in $mode mode', ({ kind, mode }) => {
      const decision = evaluatePolicy(policy([includeOf[kind](mode)]), user, groupsOfUser);
      expect(decision.allowed).toBe(true);
      expect(decision.mode).toBe(mode);
      expect(decision.decidedBy).toMatchObject({ kind: 'include', target: kind });
      if (kind !== 'all_users') expect(decision.decidedBy.id).toBe(kind === 'user' ? user.id : sales);
    });
  });

  describe('an excluded user or group always wins', () => {
    const rows = excludeKinds.flatMap((excluded) =>
      includeKinds.flatMap((included) => modes.map((mode) => ({ excluded, included, mode }))),
    );
    it.each(rows)(
      'excluding the $excluded refuses the user even when $included is included in $mode mode',
      ({ excluded, included, mode }) => {
        const decision = evaluatePolicy(policy([includeOf[included](mode)], [excludeOf[excluded]]), user, groupsOfUser);
        expect(decision).toMatchObject({ allowed: false, mode: null, decidedBy: { kind: 'exclude', target: excluded } });
        expect(decision.reason).toMatch(/excluded/);
      },
    );

    it('excluding a group the user is not in does not refuse the user', () => {
      const decision = evaluatePolicy(policy([includeOf.all_users('any')], [{ kind: 'group', id: marketing }]), user, groupsOfUser);
      expect(decision).toMatchObject({ allowed: true, mode: 'any' });
    });

    it('excluding another user does not refuse this one', () => {
      const decision = evaluatePolicy(policy([includeOf.all_users('any')], [{ kind: 'user', id: 'u-bob' }]), user, groupsOfUser);
      expect(decision).toMatchObject({ allowed: true, mode: 'any' });
    });
  });

  describe('the most specific include decides: user, then groups, then all users', () => {
    it.each(modes)('a user target in %s mode beats the group and all-users targets', (mode) => {
      const other = mode === 'push' ? 'passwordless' : 'push';
      const decision = evaluatePolicy(
        policy([includeOf.all_users(other), includeOf.group(other), includeOf.user(mode)]),
        user,
        groupsOfUser,
      );
      expect(decision).toMatchObject({ allowed: true, mode, decidedBy: { kind: 'include', target: 'user' } });
    });

    it.each(modes)('a group target in %s mode beats the all-users target', (mode) => {
      const other = mode === 'push' ? 'passwordless' : 'push';
      const decision = evaluatePolicy(policy([includeOf.all_users(other), includeOf.group(mode)]), user, groupsOfUser);
      expect(decision).toMatchObject({ allowed: true, mode, decidedBy: { kind: 'include', target: 'group' } });
    });

    it('two groups of the user together allow what either allows (push + passwordless = any)', () => {
      const decision = evaluatePolicy(
        policy([
          { kind: 'group', id: sales, mode: 'push' },
          { kind: 'group', id: marketing, mode: 'passwordless' },
        ]),
        user,
        [sales, marketing],
      );
      expect(decision).toMatchObject({ allowed: true, mode: 'any', decidedBy: { kind: 'include', target: 'group' } });
    });

    it('a group target for a group the user is not in falls through to all users', () => {
      const decision = evaluatePolicy(
        policy([{ kind: 'group', id: marketing, mode: 'passwordless' }, includeOf.all_users('push')]),
        user,
        groupsOfUser,
      );
      expect(decision).toMatchObject({ allowed: true, mode: 'push', decidedBy: { kind: 'include', target: 'all_users' } });
    });
  });

  describe('nothing allows the user', () => {
    it('a disabled policy refuses everyone, whatever it targets', () => {
      const decision = evaluatePolicy(policy([includeOf.user('any'), includeOf.all_users('any')], [], false), user, groupsOfUser);
      expect(decision).toMatchObject({ allowed: false, mode: null, decidedBy: { kind: 'disabled' } });
      expect(decision.reason).toMatch(/not enabled/);
    });

    it('a tenant without a policy refuses everyone', () => {
      expect(evaluatePolicy(undefined, user, groupsOfUser)).toMatchObject({ allowed: false, decidedBy: { kind: 'disabled' } });
    });

    it('a user who is in no targeted group and not targeted is refused', () => {
      const decision = evaluatePolicy(
        policy([
          { kind: 'user', id: 'u-bob', mode: 'any' },
          { kind: 'group', id: marketing, mode: 'any' },
        ]),
        user,
        groupsOfUser,
      );
      expect(decision).toMatchObject({ allowed: false, mode: null, decidedBy: { kind: 'none' } });
      expect(decision.reason).toMatch(/not targeted/);
    });

    it('an enabled policy with no targets refuses everyone', () => {
      expect(evaluatePolicy(policy([]), user, groupsOfUser)).toMatchObject({ allowed: false, decidedBy: { kind: 'none' } });
    });
  });

  describe('what each mode allows', () => {
    it.each([
      { mode: 'any' as const, phoneSignIn: true, pushMfa: true },
      { mode: 'passwordless' as const, phoneSignIn: true, pushMfa: false },
      { mode: 'push' as const, phoneSignIn: false, pushMfa: true },
      { mode: null, phoneSignIn: false, pushMfa: false },
    ])('$mode: phone sign-in $phoneSignIn, push approval as a second factor $pushMfa', ({ mode, phoneSignIn, pushMfa }) => {
      expect(allowsPhoneSignIn(mode)).toBe(phoneSignIn);
      expect(allowsPushMfa(mode)).toBe(pushMfa);
    });
  });
});
