import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type AuthenticatorEnrollment,
  authenticatorEnrollment,
  type MySignInsBoot,
  type MySignInsSummary,
  mySignInsSummary,
  type SecurityMethod,
} from '../../../shared/schemas/hostedPages';
import { callRelay } from '../../../shared/relay/callRelay';
import { RelayProblem } from '../../../shared/relay/relayErrors';
import { noContent } from '../../../shared/schemas/common';
import type { RegisteredBrowserView } from '../../../shared/schemas/devices';
import { failureWords } from '../failureWords';
import { announce, useFocusFirstInput } from '../announce';

/** A device as people call it: the phone or computer, not the app on it ("Nod on Linux computer" → "Linux computer"). */
const deviceWords = (name: string) => name.replace(/^Nod on /, '');

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : 'Never');

/**
 * My Sign-ins / Security info: the user's methods, **Add method → Authenticator app** (a QR code
 * and a link with a one-time enrollment code), removing a method, and recent sign-ins.
 */
export function MySignInsApp({ boot }: { boot: MySignInsBoot }) {
  const base = `/t/${encodeURIComponent(boot.tenant)}/my-sign-ins`;
  const [summary, setSummary] = useState<MySignInsSummary>();
  const [error, setError] = useState<string>();
  const [needsSignIn, setNeedsSignIn] = useState<string>();
  const [adding, setAdding] = useState<'choose' | 'enroll'>();
  const [enrollment, setEnrollment] = useState<AuthenticatorEnrollment>();
  const [removing, setRemoving] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const load = async () => {
    try {
      setSummary(await callRelay(`${base}/api/summary`, { answer: mySignInsSummary }));
    } catch (error) {
      if (error instanceof RelayProblem && error.status === 401) location.assign(base);
      else setError(failureWords(error));
    }
  };
  useEffect(() => void load(), []);

  /** A refusal that asks for a fresh sign-in shows the way to it. */
  const handleRefusal = (error: unknown) => {
    if (error instanceof RelayProblem && error.code === 'recent_sign_in_required') setNeedsSignIn(failureWords(error));
    else setError(failureWords(error));
  };

  const addAuthenticator = async () => {
    setError(undefined);
    try {
      setEnrollment(await callRelay(`${base}/api/authenticator`, { method: 'POST', answer: authenticatorEnrollment }));
    } catch (error) {
      setAdding(undefined);
      handleRefusal(error);
      return;
    }
    setAdding('enroll');
  };

  const remove = async (method: Extract<SecurityMethod, { kind: 'authenticator' }>) => {
    setError(undefined);
    const removed = await callRelay(`${base}/api/registrations/${encodeURIComponent(method.id)}`, {
      method: 'DELETE',
      answer: noContent,
    }).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    setRemoving(undefined);
    if (removed) {
      handleRefusal(removed.error);
      return;
    }
    // Said once the list no longer shows it, so the notice and the list agree.
    await load();
    setNotice(`Authenticator app on ${deviceWords(method.deviceName)} was removed.`);
  };

  const forgetBrowser = async (browser: RegisteredBrowserView) => {
    setError(undefined);
    const refused = await callRelay(`${base}/api/browsers/${encodeURIComponent(browser.id)}`, { method: 'DELETE', answer: noContent }).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    if (refused) {
      handleRefusal(refused.error);
      return;
    }
    await load();
    setNotice(`${browser.name} is no longer a registered browser.`);
  };

  if (!summary) {
    return (
      <main class="card wide">
        <p class="tenant">{boot.tenantDisplayName}</p>
        <h1>Security info</h1>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : (
          <p role="status" class="muted">
            Loading…
          </p>
        )}
      </main>
    );
  }

  const authenticators = summary.methods.filter((m): m is Extract<SecurityMethod, { kind: 'authenticator' }> => m.kind === 'authenticator');
  return (
    <>
      <header class="topbar">
        <p class="tenant">{boot.tenantDisplayName} · My Sign-ins</p>
        <p>
          <span class="muted">{summary.displayName}</span> <a href={`${base}/sign-out`}>Sign out</a>
        </p>
      </header>
      <main class="card wide">
        <h1>Security info</h1>
        <p class="muted">These are the methods you use to sign in to your account.</p>
        <p class="small muted">
          Signed in as {summary.username} since {when(summary.signedInAt)}.
        </p>

        {needsSignIn && (
          <div class="panel" role="alert">
            <p>{needsSignIn}</p>
            <a class="button primary" href={`${base}/sign-in`}>
              Sign in again
            </a>
          </div>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div role="status" aria-live="polite">
          {notice && <p class="ok">{notice}</p>}
        </div>

        {adding === undefined && (
          <p>
            <button
              type="button"
              class="primary"
              onClick={() => {
                setNotice(undefined);
                setError(undefined);
                setNeedsSignIn(undefined);
                if (summary.recentSignInRequired) {
                  setNeedsSignIn(
                    `For your security, sign in again to add a method (you signed in more than ${summary.recentSignInMinutes} minutes ago).`,
                  );
                  return;
                }
                setAdding('choose');
              }}
            >
              + Add method
            </button>
          </p>
        )}
        {!summary.addAuthenticator.allowed && <p class="muted small">{summary.addAuthenticator.message}</p>}
        {adding === 'choose' && (
          <AddMethodPanel allowed={summary.addAuthenticator} onAdd={() => void addAuthenticator()} onCancel={() => setAdding(undefined)} />
        )}
        {adding === 'enroll' && enrollment && (
          <EnrollPanel
            enrollment={enrollment}
            onDone={() => {
              setAdding(undefined);
              setEnrollment(undefined);
              void load();
            }}
          />
        )}

        <h2>Your methods</h2>
        {summary.methods.length === 0 ? (
          <p>You have no sign-in methods yet. Add the Authenticator app to sign in without a password.</p>
        ) : (
          <table class="methods">
            <thead>
              <tr>
                <th scope="col">Method</th>
                <th scope="col">Details</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {authenticators.map((method) => (
                <tr key={method.id}>
                  <td>Authenticator app</td>
                  <td>
                    {deviceWords(method.deviceName)}
                    <br />
                    <span class="muted small">
                      {method.phoneSignInEnabled ? 'Phone sign-in enabled' : 'Push approvals and verification codes'}
                    </span>
                    {method.notificationsFailing && (
                      <>
                        <br />
                        <span class="warning small" role="note">
                          Notifications aren't reaching this phone — open the Nod app on it to fix.
                        </span>
                      </>
                    )}
                  </td>
                  <td>{when(method.lastUsedAt)}</td>
                  <td>
                    {removing === method.id ? (
                      <span>
                        Remove it? You can't use it to sign in afterwards.{' '}
                        <button type="button" class="danger" onClick={() => void remove(method)}>
                          Yes, remove
                        </button>{' '}
                        <button type="button" onClick={() => setRemoving(undefined)}>
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button
                        type="button"
                        aria-label={`Remove Authenticator app on ${deviceWords(method.deviceName)}`}
                        onClick={() => {
                          setNotice(undefined);
                          setRemoving(method.id);
                        }}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
              {summary.methods.map((method) =>
                method.kind === 'verification_codes' ? (
                  <tr key="codes">
                    <td>Verification codes</td>
                    <td>From the Authenticator app on {method.deviceNames.map(deviceWords).join(', ')}</td>
                    <td>{when(method.lastUsedAt)}</td>
                    <td />
                  </tr>
                ) : method.kind === 'password' ? (
                  <tr key="password">
                    <td>Password</td>
                    <td>Set by your admin</td>
                    <td>{when(method.lastUsedAt)}</td>
                    <td />
                  </tr>
                ) : null,
              )}
            </tbody>
          </table>
        )}

        <h2>Your browsers</h2>
        {summary.browsers.length === 0 ? (
          <p class="muted">
            No registered browsers. After you approve a sign-in from a browser with the Nod extension, your phone asks whether to trust it.
          </p>
        ) : (
          <ul class="options" aria-label="Your browsers">
            {summary.browsers.map((browser) => (
              <li key={browser.id}>
                {browser.name} · registered {new Date(browser.registeredAt).toLocaleDateString()}{' '}
                <button type="button" class="danger" aria-label={`Remove ${browser.name}`} onClick={() => void forgetBrowser(browser)}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}

        <h2>Recent sign-ins</h2>
        {summary.recentSignIns.length === 0 ? (
          <p class="muted">No sign-ins yet.</p>
        ) : (
          <ul class="options" aria-label="Recent sign-ins">
            {summary.recentSignIns.map((signIn, index) => (
              <li key={index} class="small">
                <p>
                  <strong class={signIn.outcome === 'failure' ? 'error' : undefined}>{signIn.description}</strong>
                  <br />
                  <span class="muted">
                    {when(signIn.at)}
                    {signIn.browser ? ` · ${signIn.browser}` : ''}
                    {signIn.location ? ` · ${signIn.location}` : ''}
                    {signIn.ip ? ` (${signIn.ip})` : ''}
                  </span>
                </p>
              </li>
            ))}
          </ul>
        )}

        <DevicesSection
          devices={summary.devices}
          base={base}
          onRemoved={async (name) => {
            await load();
            setNotice(`${name} was removed. It can no longer sign in to your account, and every sign-in of your account ended.`);
          }}
          onRefused={handleRefusal}
        />
      </main>
    </>
  );
}

/**
 * Devices and browsers: the phones with the Authenticator app and the browsers with the Nod
 * extension. **Sign out everywhere** ends every session (this one too); **Lost device** removes one.
 */
function DevicesSection(props: {
  devices: MySignInsSummary['devices'];
  base: string;
  onRemoved: (name: string) => Promise<void>;
  onRefused: (error: unknown) => void;
}) {
  const [confirming, setConfirming] = useState<string>();
  const signOutEverywhere = async () => {
    try {
      await callRelay(`${props.base}/api/sign-out-everywhere`, { method: 'POST', answer: noContent });
    } catch (error) {
      props.onRefused(error);
      return;
    }
    location.assign(props.base);
  };
  const removeDevice = async (device: MySignInsSummary['devices'][number]) => {
    setConfirming(undefined);
    try {
      await callRelay(`${props.base}/api/devices/${encodeURIComponent(device.id)}`, { method: 'DELETE', answer: noContent });
    } catch (error) {
      props.onRefused(error);
      return;
    }
    await props.onRemoved(deviceWords(device.name));
  };
  return (
    <section aria-labelledby="devices-heading">
      <h2 id="devices-heading">Devices and browsers</h2>
      <p class="muted">Lost a phone, or signed in on a shared computer? Sign out everywhere, or remove the lost device.</p>
      <p>
        <button type="button" onClick={() => void signOutEverywhere()}>
          Sign out everywhere
        </button>
      </p>
      {props.devices.length === 0 ? (
        <p class="muted">No phones or browsers hold your account.</p>
      ) : (
        <ul class="options" aria-label="Devices and browsers">
          {props.devices.map((device) => (
            <li key={device.id} class="small">
              <p>
                <strong>{deviceWords(device.name)}</strong>
                <br />
                <span class="muted">
                  {device.kind === 'phone' ? 'Phone with the Authenticator app' : 'Browser with the Nod extension'} · last seen{' '}
                  {when(device.lastSeenAt ?? device.createdAt)}
                </span>
              </p>
              {confirming === device.id ? (
                <p>
                  Remove {deviceWords(device.name)}? It can no longer sign in to your account, and every sign-in ends.{' '}
                  <button type="button" class="danger" onClick={() => void removeDevice(device)}>
                    Yes, remove
                  </button>{' '}
                  <button type="button" onClick={() => setConfirming(undefined)}>
                    Cancel
                  </button>
                </p>
              ) : (
                <button type="button" aria-label={`Lost device: ${deviceWords(device.name)}`} onClick={() => setConfirming(device.id)}>
                  Lost device
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AddMethodPanel(props: { allowed: { allowed: boolean; message?: string }; onAdd: () => void; onCancel: () => void }) {
  useEffect(() => announce('Add a method'), []);
  const list = useFocusFirstInput<HTMLUListElement>(true);
  return (
    <section class="panel" aria-labelledby="add-heading">
      <h2 id="add-heading">Add a method</h2>
      <p>Which method would you like to add?</p>
      <ul class="options" ref={list}>
        <li>
          <button
            type="button"
            class="option"
            disabled={!props.allowed.allowed}
            aria-describedby="authenticator-hint"
            onClick={props.onAdd}
          >
            Authenticator app
            <span class="hint" aria-hidden="true">
              {props.allowed.allowed ? 'Approve sign-ins on your phone.' : props.allowed.message}
            </span>
          </button>
          <p id="authenticator-hint" class="visually-hidden">
            {props.allowed.allowed ? 'Approve sign-ins on your phone.' : props.allowed.message}
          </p>
        </li>
      </ul>
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function EnrollPanel(props: { enrollment: AuthenticatorEnrollment; onDone: () => void }) {
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    announce('Set up your account in the app');
    link.current?.focus();
  }, []);
  const expires = new Date(props.enrollment.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <section class="panel" aria-labelledby="enroll-heading">
      <h2 id="enroll-heading">Set up your account in the app</h2>
      <ol>
        <li>Open the Nod Authenticator app on your phone and choose Add account.</li>
        <li>Scan this QR code, or open the link on your phone.</li>
        <li>Follow the steps in the app, then select Done.</li>
      </ol>
      <img class="qr" src={props.enrollment.qrCode} alt="QR code to add your account in the Authenticator app" />
      <p class="code-link">
        <a href={props.enrollment.link} ref={link}>
          Open the link on your phone
        </a>
      </p>
      <p class="muted small">The code works once and expires at {expires}.</p>
      <div class="actions">
        <button type="button" class="primary" onClick={props.onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
