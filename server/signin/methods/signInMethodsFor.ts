import type { SignInMethod } from '../../../shared/schemas/signInRequests';
import { allowsPhoneSignIn, allowsPushMfa, type PolicyDecision } from '../../policy/evaluatePolicy';
import type { Registration, User } from '../../storage/model';

/**
 * What everyone is offered before a first factor, or in a browser where they never signed in:
 * one fixed list for unknown, excluded, at-risk, push-mode and phone-less users alike, so the
 * answer never tells who exists or what they have.
 */
export const offeredToEveryone: readonly SignInMethod[] = ['phone_sign_in', 'verification_code', 'password', 'temporary_access_pass'];

/**
 * The ways this user may sign in now, in the order the hosted page offers them: phone sign-in
 * where policy allows it and a phone has it enabled; verification codes from any registration;
 * password for push-MFA users who have one; a Temporary Access Pass always stays one click away.
 */
export function signInMethodsFor(user: User, decision: PolicyDecision, registrations: Registration[]): SignInMethod[] {
  const methods: SignInMethod[] = [];
  const canPhone =
    decision.allowed && allowsPhoneSignIn(decision.mode) && user.kind === 'member' && registrations.some((r) => r.phoneSignInEnabled);
  if (canPhone) methods.push('phone_sign_in');
  if (decision.allowed && registrations.length > 0) methods.push('verification_code');
  if (user.passwordHash !== null && decision.allowed && allowsPushMfa(decision.mode)) {
    methods.push('password');
  }
  methods.push('temporary_access_pass');
  return methods;
}
