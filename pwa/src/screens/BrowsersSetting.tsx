import { useEffect, useState } from 'preact/hooks';
import { displayText } from '../../../shared/displayText';
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { noContent } from '../../../shared/schemas/common';
import { type RegisteredBrowserView, registeredBrowserList } from '../../../shared/schemas/devices';
import type { Account } from '../store/accountStore';
import { useOrganizationState } from '../ui/stores';

/** The browsers registered for this account (trusted after a sign-in, or added with a pass), each removable. */
export function BrowsersSetting({ account }: { account: Account }) {
  const [browsers, setBrowsers] = useState<RegisteredBrowserView[]>();
  const [message, setMessage] = useState<string>();
  const path = `/api/registrations/${encodeURIComponent(account.registrationId)}/browsers`;
  const load = () =>
    callRelayAsDevice(account, path, { answer: registeredBrowserList }).then(
      (list) => setBrowsers(list.browsers),
      () => setMessage("Can't read your browsers right now."),
    );
  // Read again each time the relay's word on the account is read (on open, reconnect, each `accounts` event):
  // a browser trusted or removed elsewhere shows here at once.
  const view = useOrganizationState().accounts.get(account.registrationId);
  useEffect(() => {
    void load();
  }, [account.registrationId, view]);
  const remove = async (browser: RegisteredBrowserView) => {
    setMessage(undefined);
    try {
      await callRelayAsDevice(account, `${path}/${encodeURIComponent(browser.id)}`, { method: 'DELETE', answer: noContent });
      setMessage(`${displayText(browser.name)} is no longer one of your browsers.`);
      await load();
    } catch {
      setMessage(`${displayText(browser.name)} could not be removed. Try again.`);
    }
  };
  return (
    <section class="setting" aria-labelledby="browsers-heading">
      <h3 id="browsers-heading">Your browsers</h3>
      {browsers?.length === 0 && (
        <p class="muted">No registered browsers. After you approve a sign-in from a Nod browser, you can trust it.</p>
      )}
      {browsers && browsers.length > 0 && (
        <ul aria-label="Your browsers">
          {browsers.map((browser) => (
            <li key={browser.id}>
              {displayText(browser.name)}{' '}
              <button type="button" class="button" aria-label={`Remove ${displayText(browser.name)}`} onClick={() => void remove(browser)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {message && <p role="status">{message}</p>}
    </section>
  );
}
