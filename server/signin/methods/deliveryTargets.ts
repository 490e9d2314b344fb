import type { RegistrationWithDevice } from '../../storage/Storage';
import type { SignInKind } from '../../storage/model';

/** Which of a user's registrations (each with its device) a request goes to: phone sign-in enabled ones for passwordless, every one for MFA. */
export function deliveryTargets(kind: SignInKind, owned: RegistrationWithDevice[]): RegistrationWithDevice[] {
  return kind === 'passwordless' ? owned.filter((o) => o.registration.phoneSignInEnabled) : owned;
}
