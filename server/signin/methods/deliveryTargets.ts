import type { Registration, SignInKind } from '../../storage/model';

/** Which of a user's registrations a request goes to: phone sign-in enabled ones for passwordless, every one for MFA. */
export function deliveryTargets(kind: SignInKind, registrations: Registration[]): Registration[] {
  return kind === 'passwordless' ? registrations.filter((r) => r.phoneSignInEnabled) : registrations;
}
