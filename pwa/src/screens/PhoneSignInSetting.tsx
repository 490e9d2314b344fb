import { useState } from 'preact/hooks';
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { isClockSkew } from '../../../shared/relay/relayClock';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { phoneSignInSaved } from '../../../shared/schemas/devices';
import { type Account, updateAccount } from '../store/accountStore';
import { clockOffWords, noteChoice, syncDevice } from '../store/organizationState';
import { phoneSignInWords } from './phoneSignInWords';
import { devicesOf } from '../store/accountStore';
import { useOrganizationState } from '../ui/stores';

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
      noteChoice(account.registrationId, answer.phoneSignInEnabled);
    } catch (caught) {
      setError(
        caught instanceof RelayProblem && caught.code === 'phone_sign_in_not_allowed'
          ? `Phone sign-in can't be turned on for this account. ${caught.detail ?? ''}`.trim()
          : isClockSkew(caught)
            ? `${clockOffWords}.`
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
