import { useCallback, useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ExtensionState } from '../../../shared/schemas/extensionMessages';
import { everySitePatterns } from '../contentScripts/syncContentScripts';
import { loadBrowserKey } from '../relays/browserKey';
import { readManagedRelays } from '../relays/managedRelays';
import { askBackground } from './askBackground';
import { ConnectProgress, useConnectRelay } from './connectRelay';
import { siteLabel } from './format';

/** Settings: add and remove relays (each with its own host permission), look-alike protection everywhere. */
export function OptionsApp() {
  const [state, setState] = useState<ExtensionState>();
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string>();
  const [managed, setManaged] = useState<string[]>([]);
  const [keyCreated, setKeyCreated] = useState<string>();

  const refresh = useCallback(async () => {
    setState(await askBackground('ui:getState', {}));
    setKeyCreated((await loadBrowserKey())?.createdAt);
  }, []);
  useEffect(() => {
    void refresh();
    void readManagedRelays().then(setManaged);
  }, [refresh]);
  const waitingManaged = managed.filter((origin) => !state?.relays.some((r) => r.origin === origin));

  const { step, connect } = useConnectRelay(refresh);
  const busy = step.kind === 'asking' || step.kind === 'connecting';
  const add = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    if (await connect(url)) setUrl('');
  };

  const remove = async (origin: string) => {
    const result = await askBackground('ui:removeRelay', { origin });
    if (!result.ok) setError(result.error);
    await refresh();
  };

  const setEverySite = async (on: boolean) => {
    if (on) await browser.permissions.request({ origins: everySitePatterns });
    else await browser.permissions.remove({ origins: everySitePatterns });
    await askBackground('ui:permissionsChanged', {});
    await refresh();
  };

  return (
    <main class="options">
      <h1>Nod</h1>
      <p class="muted">
        Sign in with your phone: Nod recognises your organization’s genuine sign-in pages, shows the number to enter on your phone, and
        warns you about pages that imitate them.
      </p>

      <h2>Your organizations</h2>
      {waitingManaged.map((origin) => (
        <p key={origin}>
          Your organization set up Nod at {siteLabel(origin)}.{' '}
          <button type="button" class="primary" disabled={busy} onClick={() => void connect(origin)}>
            Turn on Nod for {siteLabel(origin)}
          </button>
        </p>
      ))}
      <form onSubmit={(event) => void add(event)}>
        <label for="relay-url" class="muted" style="align-self:center">
          Relay address
        </label>
        <input
          id="relay-url"
          type="text"
          inputMode="url"
          autocapitalize="none"
          spellcheck={false}
          placeholder="nod.contoso.example"
          aria-describedby="relay-url-hint"
          value={url}
          onInput={(event) => setUrl((event.target as HTMLInputElement).value)}
          required
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add relay'}
        </button>
      </form>
      <p id="relay-url-hint" class="muted">
        Your organization’s Nod address, from your admin, such as nod.contoso.example.
      </p>
      <ConnectProgress step={step} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {state?.relays.length === 0 && waitingManaged.length === 0 && (
        <p class="muted">No organization yet. Your admin gives you its Nod address.</p>
      )}
      {state && state.relays.length > 0 && (
        <p>
          <button
            type="button"
            class="link"
            onClick={async () => {
              await askBackground('ui:refreshRelays', {});
              await refresh();
            }}
          >
            Read the organizations and sign-in addresses again
          </button>
        </p>
      )}
      {state?.relays.map((relay) => (
        <section class="relay" key={relay.origin} data-testid="relay">
          <h3>{siteLabel(relay.origin)}</h3>
          {relay.tenants.length > 0 && <p>Sign in with your phone at {relay.tenants.map((t) => t.displayName).join(', ')}</p>}
          <p class="muted">Last read {new Date(relay.fetchedAt).toLocaleString()}.</p>
          <p class="muted">
            {relay.permission ? 'Permission granted for this address only.' : 'Permission missing: remove and add the relay again.'}{' '}
            {relay.browserRegistered
              ? 'This browser is registered with the relay.'
              : 'This browser’s key is not registered with the relay yet.'}
          </p>
          <ul>
            {relay.tenants.map((tenant) => (
              <li key={tenant.name}>
                <strong>{tenant.displayName}</strong> — sign-in pages at {tenant.signInOrigins.map(siteLabel).join(', ')}
              </li>
            ))}
          </ul>
          <RegisterForUser relayOrigin={relay.origin} tenants={relay.tenants.map((t) => ({ name: t.name, displayName: t.displayName }))} />
          <button type="button" onClick={() => void remove(relay.origin)}>
            Remove relay
          </button>
        </section>
      ))}

      <h2>Look-alike protection on every site</h2>
      <p class="muted">
        Without it, Nod runs only on your relays’ addresses, and warns about imitations when you open its toolbar popup. With it, Nod checks
        every page for imitations of your sign-in pages and warns at once. Nod never sends anything about the pages you visit.
      </p>
      <label>
        <input
          type="checkbox"
          checked={state?.everySite ?? false}
          onChange={(event) => void setEverySite((event.target as HTMLInputElement).checked)}
        />{' '}
        Warn me about look-alike sign-in pages on every site
      </label>

      <h2>This browser’s key</h2>
      <p class="muted" data-testid="browser-key">
        {keyCreated
          ? `Created ${new Date(keyCreated).toLocaleString()}. It shows your organization that sign-ins come from this browser, and it cannot be copied out of it.`
          : 'Made when you add your first organization.'}
      </p>
    </main>
  );
}

/**
 * Where a tenant requires registered browsers, the first registration of this browser for an account is
 * made with a Temporary Access Pass from the admin.
 */
function RegisterForUser({ relayOrigin, tenants }: { relayOrigin: string; tenants: Array<{ name: string; displayName: string }> }) {
  const [open, setOpen] = useState(false);
  const [tenant, setTenant] = useState(tenants[0]?.name ?? '');
  const [username, setUsername] = useState('');
  const [pass, setPass] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  if (tenants.length === 0) return null;
  if (!open) {
    return (
      <p>
        <button type="button" class="link" onClick={() => setOpen(true)}>
          Register this browser for an account with a Temporary Access Pass
        </button>
      </p>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    const reply = await askBackground('ui:registerBrowserForUser', { relayOrigin, tenant, username, temporaryAccessPass: pass });
    setPass('');
    setResult(reply.ok ? { ok: true, text: `This browser is registered for ${username}.` } : { ok: false, text: reply.error });
  };
  return (
    <form class="register" onSubmit={(event) => void submit(event)} aria-label="Register this browser for an account">
      {tenants.length > 1 && (
        <select aria-label="Organization" value={tenant} onChange={(event) => setTenant((event.target as HTMLSelectElement).value)}>
          {tenants.map((t) => (
            <option key={t.name} value={t.name}>
              {t.displayName}
            </option>
          ))}
        </select>
      )}
      <input
        type="text"
        aria-label="Username"
        autocomplete="username"
        value={username}
        onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
        required
      />
      <input
        type="password"
        aria-label="Temporary Access Pass"
        autocomplete="one-time-code"
        value={pass}
        onInput={(e) => setPass((e.target as HTMLInputElement).value)}
        required
      />
      <button type="submit">Register</button>
      {result && <span class={result.ok ? 'ok' : 'error'}>{result.text}</span>}
    </form>
  );
}
