import { useState } from 'preact/hooks';
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { phoneSignInSaved } from '../../../shared/schemas/devices';
import { type Account, updateAccount } from '../store/accountStore';
import { type AccountView, syncDevice } from '../store/organizationState';
import { devicesOf } from '../store/accountStore';
import { formatClock } from '../ui/hooks';
import { useOrganizationState } from '../ui/stores';

/** What the account screen says of phone sign-in, from the relay's word (or the phone's memory until it is read). */
export function phoneSignInWords(account: Account, view: AccountView): { text: string; offer: 'enable' | 'disable' | 'none' } {
  if (view === 'removed') {
    return { text: 'This account was removed at your organization, so it no longer signs in with this phone.', offer: 'none' };
  }
  switch (view?.phoneSignIn) {
    case 'push_only':
      return {
        text: 'Your organization uses Nod to approve sign-ins after your password. Phone sign-in without a password is not available for this account.',
        offer: 'none',
      };
    case 'not_allowed':
      return {
        text: 'Your organization has not turned on phone sign-in for this account.',
        offer: view.phoneSignInEnabled ? 'disable' : 'none',
      };
    case 'paused': {
      const since = view.pausedSince ? ` since ${formatClock(Date.parse(view.pausedSince))}` : '';
      return {
        text: `Phone sign-in is paused${since}, after you reported a sign-in that wasn't you. Requests from browsers you have never signed in with wait until you sign in once from a browser you used before, or until your admin clears it. Verification codes still work.`,
        offer: view.phoneSignInEnabled ? 'disable' : 'none',
      };
    }
    case 'on':
      return { text: 'Phone sign-in is on: sign in to this account without a password by approving a request here.', offer: 'disable' };
    case 'off':
      return { text: offText, offer: 'enable' };
    default:
      return account.phoneSignInEnabled
        ? { text: 'Phone sign-in is on: sign in to this account without a password by approving a request here.', offer: 'disable' }
        : { text: offText, offer: 'enable' };
  }
}

const offText =
  'Phone sign-in is off. Turn it on to sign in without a password: you enter the number shown on the sign-in screen and confirm with your PIN or biometric.';

/** "Enable phone sign-in" for one account, only where the relay would allow it, with its refusal in plain words. */
export function PhoneSignInSetting({ account }: { account: Account }) {
  const { accounts } = useOrganizationState();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const words = phoneSignInWords(account, accounts.get(account.registrationId));
  const set = async (enabled: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await callRelayAsDevice(account, `/api/registrations/${encodeURIComponent(account.registrationId)}/phone-sign-in`, {
        method: 'PUT',
        body: { enabled },
        answer: phoneSignInSaved,
      });
      await updateAccount(account.registrationId, { phoneSignInEnabled: answer.phoneSignInEnabled });
    } catch (caught) {
      setError(
        caught instanceof RelayProblem && caught.code === 'phone_sign_in_not_allowed'
          ? `Phone sign-in can't be turned on for this account. ${caught.detail ?? ''}`.trim()
          : caught instanceof RelayUnreachable || caught instanceof RelayProblem
            ? caught.message
            : 'Something went wrong. Try again.',
      );
    } finally {
      setBusy(false);
      for (const device of devicesOf([account])) void syncDevice(device);
    }
  };
  return (
    <section class="setting" aria-labelledby="phone-sign-in-heading">
      <h3 id="phone-sign-in-heading">Phone sign-in</h3>
      <p>{words.text}</p>
      {words.offer === 'disable' && (
        <button type="button" class="button" disabled={busy} onClick={() => set(false)}>
          Turn off phone sign-in
        </button>
      )}
      {words.offer === 'enable' && (
        <button type="button" class="button primary" disabled={busy} onClick={() => set(true)}>
          Enable phone sign-in
        </button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
