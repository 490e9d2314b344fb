import { useState } from 'preact/hooks';
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { isClockSkew } from '../../../shared/relay/relayClock';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { noContent } from '../../../shared/schemas/common';
import { type Account, accountName, forgetAccount, updateAccount } from '../store/accountStore';
import { clockOffWords } from '../store/organizationState';
import { navigate, routes } from '../ui/router';
import { useAnnounce } from '../ui/announce';
import { useOrganizationState } from '../ui/stores';
import { BrowsersSetting } from './BrowsersSetting';
import { NotificationsSetting } from './NotificationsSetting';
import { PhoneSignInSetting } from './PhoneSignInSetting';

/** One account: its tenant, phone sign-in, notifications, rename and remove. */
export function AccountSettings({ account }: { account: Account | undefined }) {
  const relay = useOrganizationState();
  useAnnounce(account ? accountName(account) : 'Account not found');
  if (!account) {
    return (
      <section>
        <h2>Account not found</h2>
        <p>This phone holds no such account.</p>
        <a href={routes.home}>Back to accounts</a>
      </section>
    );
  }
  return (
    <section aria-labelledby="account-heading">
      <h2 id="account-heading">{accountName(account)}</h2>
      <dl class="facts">
        <dt>Username</dt>
        <dd>{account.username}</dd>
        <dt>Organization</dt>
        <dd>
          {account.tenantDisplayName} ({account.tenant})
        </dd>
      </dl>
      {relay.accounts.get(account.registrationId) === 'removed' && (
        <p class="notice" role="status">
          This account was removed at {account.tenantDisplayName} (in My Sign-ins or by your admin). Its sign-in requests and verification
          codes no longer work on this phone. Remove it here too; to use this phone again, add the account again.
        </p>
      )}
      <PhoneSignInSetting account={account} />
      <NotificationsSetting />
      <BrowsersSetting account={account} />
      <Rename account={account} />
      <Remove account={account} />
    </section>
  );
}

function Rename({ account }: { account: Account }) {
  const [name, setName] = useState(accountName(account));
  const [saved, setSaved] = useState(false);
  return (
    <form
      class="setting"
      onSubmit={async (event) => {
        event.preventDefault();
        await updateAccount(account.registrationId, { label: name.trim() || undefined });
        setSaved(true);
      }}
    >
      <label for="account-name">Account name</label>
      <input
        id="account-name"
        value={name}
        maxLength={100}
        onInput={(e) => {
          setName(e.currentTarget.value);
          setSaved(false);
        }}
      />
      <button type="submit" class="button">
        Save name
      </button>
      {saved && <p role="status">Saved.</p>}
    </form>
  );
}

function Remove({ account }: { account: Account }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    setBusy(true);
    setError(undefined);
    let note: string | undefined;
    try {
      await callRelayAsDevice(account, `/api/registrations/${encodeURIComponent(account.registrationId)}`, {
        method: 'DELETE',
        answer: noContent,
      });
    } catch (caught) {
      if (caught instanceof RelayUnreachable) {
        note = 'offline';
      } else if (
        !(caught instanceof RelayProblem && (caught.code === 'registration_not_found' || caught.code === 'device_signature_invalid'))
      ) {
        // The relay refused for another reason: keep the account so the user can try again.
        setError(isClockSkew(caught) ? `${clockOffWords}.` : caught instanceof Error ? caught.message : 'Something went wrong. Try again.');
        setBusy(false);
        return;
      }
    }
    await forgetAccount(account.registrationId);
    navigate(note ? `${routes.home}?removed=offline` : routes.home);
  };
  return (
    <div class="setting danger">
      {confirming ? (
        <div>
          <p id="remove-question">
            Remove {account.username} from this phone? You won't get sign-in requests or verification codes for it here.
          </p>
          <button type="button" class="button danger" disabled={busy} onClick={remove}>
            Remove
          </button>
          <button type="button" class="button" disabled={busy} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" class="button danger" onClick={() => setConfirming(true)}>
          Remove account
        </button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
