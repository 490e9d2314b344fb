import { useCallback, useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ExtensionState } from '../../../shared/schemas/extensionMessages';
import { contentScriptFile } from '../contentScripts/syncContentScripts';
import { askBackground } from './askBackground';
import { SignInCard } from './SignInCard';
import { ConnectProgress, useConnectRelay } from './connectRelay';
import { headingFor, siteLabel } from './format';
import { readManagedRelays } from '../relays/managedRelays';

/** The toolbar popup: the pending sign-in with its number, accounts used in this browser, last results. */
export function PopupApp() {
  const [state, setState] = useState<ExtensionState>();
  const [tabId, setTabId] = useState<number>();
  const [note, setNote] = useState<string>();

  const refresh = useCallback(async (id?: number, inspect = false) => {
    try {
      const next = await askBackground('ui:getState', id === undefined ? {} : { tabId: id });
      setState(next);
      if (inspect && id !== undefined && !next.activeTab?.verdict && next.relays.length > 0) {
        // Opening the popup grants access to this tab (activeTab): check it for a look-alike or an offer.
        await browser.scripting.executeScript({ target: { tabId: id }, files: [contentScriptFile] }).catch(() => undefined);
      }
    } catch (error) {
      setNote(error instanceof Error ? error.message : String(error));
    }
  }, []);

  useEffect(() => {
    let id: number | undefined;
    // `?tabId=` opens the popup for a given tab (when it is opened as a page, e.g. from a notification or a test).
    const asked = Number(new URLSearchParams(location.search).get('tabId'));
    const activeTab =
      Number.isSafeInteger(asked) && asked > 0
        ? Promise.resolve(asked)
        : browser.tabs.query({ active: true, currentWindow: true }).then(([tab]) => tab?.id);
    void activeTab.then((found) => {
      id = found;
      setTabId(id);
      void refresh(id, true);
    });
    const timer = setInterval(() => void refresh(id), 1000);
    return () => clearInterval(timer);
  }, [refresh]);

  if (!state) return <main class="nod popup">Loading…</main>;
  const verdict = state.activeTab?.verdict;
  const here = state.activeTab?.signIn;
  const elsewhere = state.pending.filter((view) => view.tabId !== tabId);
  const act = async (work: Promise<{ ok: boolean; error?: string }>) => {
    const result = await work;
    setNote(result.ok ? undefined : result.error);
    await refresh(tabId);
  };

  return (
    <main class="nod popup" data-testid="nod-popup">
      <h1>Nod</h1>
      {state.relays.length === 0 && <FirstRun onAdded={() => refresh(tabId, true)} />}
      {state.relays.length > 0 && organizations(state).length > 0 && (
        <p class="muted">Sign in with your phone at {organizations(state).join(', ')}</p>
      )}
      {verdict?.kind === 'lookalike' && (
        <p class="warning" role="alert">
          This page is not a genuine sign-in page ({siteLabel(verdict.site)}). Nod will not sign you in here.
        </p>
      )}
      {verdict?.kind === 'genuine' && !here && (
        <p class="muted">
          Verified sign-in page: {siteLabel(verdict.site)} · {verdict.tenantDisplayName}
        </p>
      )}
      {verdict?.kind === 'offer' && tabId !== undefined && (
        <p>
          <button type="button" class="primary" onClick={() => void browser.tabs.update(tabId, { url: verdict.loginUrl })}>
            Sign in with Nod · {verdict.tenantDisplayName}
          </button>
        </p>
      )}
      {here && tabId !== undefined && (
        <SignInCard
          view={here}
          onRetry={() => void act(askBackground('ui:retrySignIn', { tabId }))}
          onCancel={() => void act(askBackground('ui:cancelSignIn', { tabId }))}
        />
      )}
      {elsewhere.length > 0 && (
        <>
          <h3>Pending in other tabs</h3>
          <ul>
            {elsewhere.map((view) => (
              <li key={view.tabId}>
                <span>
                  {view.username} · {siteLabel(view.site)}
                </span>
                <strong>{view.number ?? headingFor(view.status)}</strong>
              </li>
            ))}
          </ul>
        </>
      )}
      {state.accounts.length > 0 && (
        <>
          <h3>Accounts used in this browser</h3>
          <ul>
            {state.accounts.map((account) => (
              <li key={`${account.tenant}/${account.username}`}>
                {verdict?.kind === 'genuine' && verdict.tenant === account.tenant && tabId !== undefined ? (
                  <button
                    type="button"
                    class="link"
                    title="Fill in this username"
                    onClick={() => void act(askBackground('ui:pickAccount', { tabId, username: account.username }))}
                  >
                    {account.username}
                  </button>
                ) : (
                  <span>{account.username}</span>
                )}
                <span class="muted">{account.tenantDisplayName}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {state.results.length > 0 && (
        <>
          <h3>Last sign-ins</h3>
          <ul>
            {state.results.slice(0, 5).map((result) => (
              <li key={`${result.at}/${result.username}`}>
                <span>
                  {result.username} · {siteLabel(result.site)}
                </span>
                <span class="muted">{headingFor(result.status)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {note && <p class="warning">{note}</p>}
    </main>
  );
}

/** The organizations this browser signs in to, by name. */
function organizations(state: ExtensionState): string[] {
  return [...new Set(state.relays.flatMap((relay) => relay.tenants.map((tenant) => tenant.displayName)))];
}

/**
 * The first run, in people's words: what Nod does, and one step to start — the organization's
 * pre-set address (storage.managed) one click away, or the settings page to type the address in.
 */
function FirstRun({ onAdded }: { onAdded: () => Promise<void> }) {
  const [managed, setManaged] = useState<string[]>([]);
  const { step, connect } = useConnectRelay(onAdded);
  useEffect(() => {
    void readManagedRelays().then(setManaged);
  }, []);
  const busy = step.kind === 'asking' || step.kind === 'connecting';
  return (
    <section aria-labelledby="first-run-heading">
      <h2 id="first-run-heading">Sign in with your phone</h2>
      <p>Nod signs you in to your organization’s apps when you approve a request on your phone: no password to type.</p>
      {managed.length > 0 ? (
        managed.map((origin) => (
          <p key={origin}>
            <button type="button" class="primary" disabled={busy} onClick={() => void connect(origin)}>
              Turn on Nod for {siteLabel(origin)}
            </button>
          </p>
        ))
      ) : (
        <p>
          To start, enter your organization’s Nod address (your admin gives it to you).{' '}
          <button type="button" class="primary" onClick={() => void browser.runtime.openOptionsPage()}>
            Set up Nod
          </button>
        </p>
      )}
      <ConnectProgress step={step} />
    </section>
  );
}
