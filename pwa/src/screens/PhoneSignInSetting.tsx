import { useState } from 'preact/hooks';
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { phoneSignInSaved } from '../../../shared/schemas/devices';
import { type Account, updateAccount } from '../store/accountStore';

/** "Enable phone sign-in" for one account, with the relay's refusal (guest, policy, blocked) in plain words. */
export function PhoneSignInSetting({ account }: { account: Account }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
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
    }
  };
  return (
    <section class="setting" aria-labelledby="phone-sign-in-heading">
      <h3 id="phone-sign-in-heading">Phone sign-in</h3>
      <p>
        {account.phoneSignInEnabled
          ? 'Phone sign-in is on: sign in to this account without a password by approving a request here.'
          : 'Phone sign-in is off. Turn it on to sign in without a password: you enter the number shown on the sign-in screen and confirm with your PIN or biometric.'}
      </p>
      {account.phoneSignInEnabled ? (
        <button type="button" class="button" disabled={busy} onClick={() => set(false)}>
          Turn off phone sign-in
        </button>
      ) : (
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
