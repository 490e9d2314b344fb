import { useCallback, useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ExtensionState } from '../../../shared/schemas/extensionMessages';
import { contentScriptFile } from '../contentScripts/syncContentScripts';
import { askBackground } from './askBackground';
import { SignInCard } from './SignInCard';
import { headingFor, siteLabel } from './format';

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
      {state.relays.length === 0 && (
        <p>
          Nod is not connected to a relay yet.{' '}
          <button type="button" class="link" onClick={() => void browser.runtime.openOptionsPage()}>
            Add your organisation’s relay
          </button>
        </p>
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
