import type { SignInMethod } from '../../../shared/schemas/signInRequests';
import { allowsPhoneSignIn, allowsPushMfa, type PolicyDecision } from '../../policy/evaluatePolicy';
import type { Registration, User } from '../../storage/model';

/** What an unknown user appears to have: the same list a typical enrolled member gets. */
export const decoyMethods: SignInMethod[] = ['phone_sign_in', 'verification_code', 'temporary_access_pass'];

/**
 * The ways this user may sign in now, in the order the hosted page offers them: phone sign-in
 * where policy allows it and a phone has it enabled; verification codes from any registration;
 * password for push-MFA users who have one; a Temporary Access Pass always stays one click away.
 */
export function signInMethodsFor(user: User, decision: PolicyDecision, registrations: Registration[]): SignInMethod[] {
  const methods: SignInMethod[] = [];
  const canPhone =
    decision.allowed &&
    allowsPhoneSignIn(decision.mode) &&
    user.kind === 'member' &&
    user.blockedAt === null &&
    registrations.some((r) => r.phoneSignInEnabled);
  if (canPhone) methods.push('phone_sign_in');
  if (decision.allowed && registrations.length > 0) methods.push('verification_code');
  if (user.passwordHash !== null && decision.allowed && allowsPushMfa(decision.mode) && user.blockedAt === null) {
    methods.push('password');
  }
  methods.push('temporary_access_pass');
  return methods;
}
