import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type HostedSignInBoot,
  type HostedUsernameAnswer,
  hostedFinished,
  hostedUsernameAnswer,
} from '../../../shared/schemas/hostedPages';
import type { SignInMethod, SignInRequestCreated } from '../../../shared/schemas/signInRequests';
import type { SignInPageStep } from '../../../shared/schemas/extensionMessages';
import { signInGrant } from '../../../shared/schemas/grants';
import { callRelay } from '../../../shared/relay/callRelay';
import { failureWords } from '../failureWords';
import { rememberedMethod } from '../collectorKey';
import { listenToExtension, tellExtension } from '../extensionBridge';
import { setMarker } from '../marker';
import { announce, useFocusFirstInput } from '../announce';
import { createPhoneRequest, PhoneStep, type PhoneKind } from './PhoneStep';
import { methodHints, methodLabels } from './words';
import { UsernameField } from '../../../shared/pages/UsernameField';

type View =
  | { step: 'username' }
  | { step: 'methods' }
  | { step: 'phone'; kind: PhoneKind; initial?: { answer: SignInRequestCreated; skew: number }; key: number }
  | { step: 'code' }
  | { step: 'password' }
  | { step: 'temporary_access_pass' }
  | { step: 'done' };

/** The method each view signs in with, as remembered for next time. */
const methodOf = (view: View): SignInMethod | undefined =>
  view.step === 'phone'
    ? view.kind === 'passwordless'
      ? 'phone_sign_in'
      : 'password'
    : view.step === 'code'
      ? 'verification_code'
      : view.step === 'password'
        ? 'password'
        : view.step === 'temporary_access_pass'
          ? 'temporary_access_pass'
          : undefined;

/**
 * The hosted sign-in page, in the seed's steps: username and **Next**; the default way (phone
 * sign-in when registered, else the one used last); **Other ways to sign in**; then back to the
 * site through the OIDC interaction.
 */
export function SignInApp({ boot }: { boot: HostedSignInBoot }) {
  const [view, setViewState] = useState<View>({ step: 'username' });
  const [username, setUsername] = useState(boot.loginHint ?? '');
  const [offer, setOffer] = useState<HostedUsernameAnswer>();
  /** The username's domain belongs to another organization: said on the username step before going on. */
  const [elsewhere, setElsewhere] = useState<HostedUsernameAnswer>();
  const [password, setPassword] = useState<string>();
  const [requestId, setRequestId] = useState<string>();
  const [extensionReady, setExtensionReady] = useState(false);
  const [finishing, setFinishing] = useState<string>();
  const counter = useRef(0);
  /** The given username (`login_hint`) goes on once; Back shows the username step as usual. */
  const continued = useRef(false);
  const base = `/t/${encodeURIComponent(boot.tenant)}/interaction/${encodeURIComponent(boot.uid)}`;

  const setView = (next: View) => {
    if (next.step !== 'phone') setRequestId(undefined);
    setViewState(next);
  };

  useEffect(() => {
    const stop = listenToExtension((message) => {
      if (message.type === 'nod:extension-ready') setExtensionReady(true);
    });
    tellExtension({ type: 'nod:extension-probe' });
    return stop;
  }, []);

  useEffect(() => {
    const step: SignInPageStep = view.step;
    setMarker({ tenant: boot.tenant, step, interaction: boot.uid, ...(requestId ? { requestId } : {}) });
  }, [view.step, requestId]);

  const finish = async (grant: string, method: SignInMethod) => {
    setFinishing(undefined);
    let redirectTo: string;
    try {
      ({ redirectTo } = await callRelay(`${base}/finish`, { body: { grant }, answer: hostedFinished }));
    } catch (error) {
      setFinishing(failureWords(error));
      return;
    }
    rememberedMethod.set(boot.tenant, username, method);
    setView({ step: 'done' });
    location.assign(redirectTo);
  };

  const phone = (kind: PhoneKind, initial?: { answer: SignInRequestCreated; skew: number }) =>
    setView({ step: 'phone', kind, initial, key: ++counter.current });

  const open = (method: SignInMethod) => {
    if (method === 'phone_sign_in') phone('passwordless');
    else if (method === 'verification_code') setView({ step: 'code' });
    else setView({ step: method });
  };

  const submitUsername = async (name: string) => {
    continued.current = true;
    let answer: HostedUsernameAnswer;
    try {
      answer = await callRelay(`${base}/username`, { body: { username: name }, answer: hostedUsernameAnswer });
    } catch (error) {
      return failureWords(error);
    }
    setElsewhere(answer.otherOrganization ? answer : undefined);
    if (!answer.otherOrganization) proceed(answer);
    return undefined;
  };

  /** On to the way this username signs in with, from the relay's answer to Next. */
  const proceed = (answer: HostedUsernameAnswer) => {
    setElsewhere(undefined);
    setUsername(answer.username);
    setOffer(answer);
    setPassword(undefined);
    // The method used last (this browser's memory first, then the relay's), else phone sign-in when
    // registered, else the one way there is; with several and no favourite, the list.
    const preferred = [rememberedMethod.get(boot.tenant, answer.username), answer.lastMethod, 'phone_sign_in'].find(
      (m): m is SignInMethod => !!m && answer.methods.includes(m as SignInMethod),
    );
    if (preferred) open(preferred);
    else if (answer.methods.length === 1) open(answer.methods[0]);
    else setView({ step: 'methods' });
  };

  /** The list is asked for again: what may be used can change meanwhile (a report blocks phone sign-in). */
  const otherWays = () => {
    setView({ step: 'methods' });
    void callRelay(`${base}/username`, { body: { username }, answer: hostedUsernameAnswer }).then(setOffer, () => undefined);
  };
  const identity = (
    <div class="identity">
      <button type="button" class="back" aria-label="Back" onClick={() => setView({ step: 'username' })}>
        ←
      </button>
      <span class="who">{username}</span>
    </div>
  );

  let content: ComponentChildren;
  switch (view.step) {
    case 'username':
      content = (
        <UsernameStep
          boot={boot}
          initial={username}
          onNext={submitUsername}
          continueAtOnce={boot.continueWithHint && !continued.current}
          elsewhere={elsewhere}
          onContinueAsGuest={proceed}
        />
      );
      break;
    case 'methods':
      content = (
        <>
          {identity}
          <Heading>Other ways to sign in</Heading>
          <MethodList>
            {(offer?.methods ?? []).map((method) => (
              <li key={method}>
                <button type="button" class="option" aria-describedby={`hint-${method}`} onClick={() => open(method)}>
                  {methodLabels[method]}
                  {/* Shown inside the button, read once as its description (not as part of its name). */}
                  <span class="hint" aria-hidden="true">
                    {methodHints[method]}
                  </span>
                </button>
                <p id={`hint-${method}`} class="visually-hidden">
                  {methodHints[method]}
                </p>
              </li>
            ))}
          </MethodList>
        </>
      );
      break;
    case 'phone':
      content = (
        <>
          {identity}
          <PhoneStep
            key={view.key}
            boot={boot}
            username={username}
            kind={view.kind}
            password={password}
            initial={view.initial}
            viaExtension={extensionReady}
            onRequest={setRequestId}
            onMethods={(methods) => {
              const known = methods.filter((m): m is SignInMethod => m in methodLabels);
              setOffer((current) => (current && known.length > 0 ? { ...current, methods: known } : current));
            }}
            onGrant={(grant) => void finish(grant, view.kind === 'passwordless' ? 'phone_sign_in' : 'password')}
            onOtherWays={otherWays}
            onCode={offer?.methods.includes('verification_code') ? () => open('verification_code') : undefined}
          />
        </>
      );
      break;
    case 'code':
      content = (
        <>
          {identity}
          <CodeStep
            boot={boot}
            username={username}
            needsPassword={Boolean(offer?.codeNeedsFirstFactor) && password === undefined}
            password={password}
            onGrant={(grant) => void finish(grant, 'verification_code')}
            onOtherWays={otherWays}
          />
        </>
      );
      break;
    case 'password':
      content = (
        <>
          {identity}
          <SecretStep
            title="Enter password"
            label="Password"
            action="Sign in"
            onSubmit={async (value) => {
              const created = await createPhoneRequest(boot, username, 'mfa', value);
              if (!created.answer) return created.error ?? 'Your username or password is incorrect.';
              setPassword(value);
              phone('mfa', { answer: created.answer, skew: created.skew });
              return undefined;
            }}
            onOtherWays={otherWays}
          />
        </>
      );
      break;
    case 'temporary_access_pass':
      content = (
        <>
          {identity}
          <SecretStep
            title="Enter Temporary Access Pass"
            label="Temporary Access Pass"
            action="Sign in"
            onSubmit={async (value) => {
              let grant: string;
              try {
                ({ grant } = await callRelay(`/api/t/${encodeURIComponent(boot.tenant)}/temporary-access-pass-sign-in`, {
                  body: { username, temporaryAccessPass: value },
                  answer: signInGrant,
                }));
              } catch (error) {
                return failureWords(error);
              }
              await finish(grant, 'temporary_access_pass');
              return undefined;
            }}
            onOtherWays={otherWays}
          />
        </>
      );
      break;
    case 'done':
      content = (
        <>
          <Heading>Signing you in…</Heading>
          <div class="spinner" aria-hidden="true" />
        </>
      );
      break;
  }

  return (
    <main class="card" data-method={methodOf(view) ?? ''}>
      <p class="tenant">{boot.tenantDisplayName}</p>
      {content}
      {finishing && (
        <p class="error" role="alert">
          {finishing}
        </p>
      )}
    </main>
  );
}

/** A step's heading: announced when the step appears (focus goes to the step's first input). */
function Heading({ children }: { children: string }) {
  useEffect(() => announce(children), [children]);
  return <h1>{children}</h1>;
}

function UsernameStep(props: {
  boot: HostedSignInBoot;
  initial: string;
  onNext: (username: string) => Promise<string | undefined>;
  /** The username came with the sign-in: go on as if Next was selected. */
  continueAtOnce?: boolean;
  /** The relay's answer for a username of another organization's domain (shown while the username is unchanged). */
  elsewhere?: HostedUsernameAnswer;
  onContinueAsGuest: (answer: HostedUsernameAnswer) => void;
}) {
  const [value, setValue] = useState(props.initial);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useFocusFirstInput<HTMLFormElement>();
  // What the relay said about another organization holds for the username it was said about.
  const elsewhere = props.elsewhere && props.elsewhere.username === value.trim() ? props.elsewhere : undefined;
  useEffect(() => {
    if (!props.continueAtOnce || !value.trim()) return;
    setBusy(true);
    void props.onNext(value.trim()).then((problem) => {
      setError(problem);
      setBusy(false);
    });
  }, []);
  return (
    <form
      ref={form}
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        if (!value.trim()) {
          setError('Enter your username, like someone@contoso.example.');
          return;
        }
        setBusy(true);
        setError(await props.onNext(value.trim()));
        setBusy(false);
      }}
    >
      <Heading>Sign in</Heading>
      <p class="muted">to continue to {props.boot.applicationName}</p>
      <UsernameField value={value} onInput={setValue} errorId={error ? 'username-error' : undefined} />
      {error && (
        <p id="username-error" class="error" role="alert">
          {error}
        </p>
      )}
      {elsewhere && (
        <OtherOrganization answer={elsewhere} tenantDisplayName={props.boot.tenantDisplayName} onContinue={props.onContinueAsGuest} />
      )}
      {!elsewhere && (
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Next
          </button>
        </div>
      )}
    </form>
  );
}

/**
 * Home realm discovery on this organization's page: the username's domain is another
 * organization's. Signing in there is one link away; a guest of this organization goes on here.
 */
function OtherOrganization(props: {
  answer: HostedUsernameAnswer;
  tenantDisplayName: string;
  onContinue: (answer: HostedUsernameAnswer) => void;
}) {
  const other = props.answer.otherOrganization;
  useEffect(() => announce('This account belongs to another organization'), [props.answer]);
  if (!other) return null;
  const there = `/t/${encodeURIComponent(other.tenant)}/my-sign-ins?${new URLSearchParams({ login_hint: props.answer.username })}`;
  return (
    <section class="notice" aria-labelledby="elsewhere-heading">
      <h2 id="elsewhere-heading">This account belongs to another organization</h2>
      <p>
        {props.answer.username} is an account of {other.displayName}. Sign in there, or continue if you are a guest of{' '}
        {props.tenantDisplayName}.
      </p>
      <p>
        <a href={there}>Sign in at {other.displayName}</a>
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={() => props.onContinue(props.answer)}>
          Continue as a guest
        </button>
      </div>
    </section>
  );
}

/** The list of ways, its first focused (no input on this step). */
function MethodList({ children }: { children: ComponentChildren }) {
  const list = useFocusFirstInput<HTMLUListElement>(true);
  return (
    <ul class="options" ref={list}>
      {children}
    </ul>
  );
}

/** The end of a one-field step: its error, "Other ways to sign in", and the step's button. */
function StepFooter(props: { errorId: string; error?: string; busy: boolean; action: string; onOtherWays: () => void }) {
  return (
    <>
      {props.error && (
        <p id={props.errorId} class="error" role="alert">
          {props.error}
        </p>
      )}
      <p>
        <button type="button" class="link" onClick={props.onOtherWays}>
          Other ways to sign in
        </button>
      </p>
      <div class="actions">
        <button type="submit" class="primary" disabled={props.busy}>
          {props.action}
        </button>
      </div>
    </>
  );
}

/** One secret and a button: the password, or a Temporary Access Pass. */
function SecretStep(props: {
  title: string;
  label: string;
  action: string;
  onSubmit: (value: string) => Promise<string | undefined>;
  onOtherWays: () => void;
}) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useFocusFirstInput<HTMLFormElement>();
  return (
    <form
      ref={form}
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        if (!value) {
          setError(`Enter your ${props.label === 'Password' ? 'password' : props.label}.`);
          return;
        }
        setBusy(true);
        const problem = await props.onSubmit(value);
        setError(problem);
        setBusy(false);
      }}
    >
      <Heading>{props.title}</Heading>
      <label for="secret">{props.label}</label>
      <input
        id="secret"
        type="password"
        autocomplete={props.label === 'Password' ? 'current-password' : 'one-time-code'}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'secret-error' : undefined}
        onInput={(event) => setValue((event.target as HTMLInputElement).value)}
      />
      <StepFooter errorId="secret-error" error={error} busy={busy} action={props.action} onOtherWays={props.onOtherWays} />
    </form>
  );
}

/** Journey 5: the verification code from the app (with the password first in push MFA mode). */
function CodeStep(props: {
  boot: HostedSignInBoot;
  username: string;
  needsPassword: boolean;
  password?: string;
  onGrant: (grant: string) => void;
  onOtherWays: () => void;
}) {
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useFocusFirstInput<HTMLFormElement>();
  return (
    <form
      ref={form}
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        if (!/^\d{6}$/.test(code.trim())) {
          setError('Enter the six-digit code from your Authenticator app.');
          return;
        }
        if (props.needsPassword && !password) {
          setError('Enter your password as well.');
          return;
        }
        setBusy(true);
        const firstFactor = props.needsPassword ? password : props.password;
        let grant: string;
        try {
          ({ grant } = await callRelay(`/api/t/${encodeURIComponent(props.boot.tenant)}/code-sign-in`, {
            body: { username: props.username, code: code.trim(), ...(firstFactor ? { password: firstFactor } : {}) },
            answer: signInGrant,
          }));
        } catch (error) {
          setError(failureWords(error));
          return;
        } finally {
          setBusy(false);
        }
        props.onGrant(grant);
      }}
    >
      <Heading>Enter code</Heading>
      <p>Enter the code displayed in the Authenticator app on your phone.</p>
      {props.needsPassword && (
        <>
          <label for="password">Password</label>
          <input
            id="password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(event) => setPassword((event.target as HTMLInputElement).value)}
          />
        </>
      )}
      <label for="code">Code</label>
      <input
        id="code"
        type="text"
        inputMode="numeric"
        autocomplete="one-time-code"
        maxLength={6}
        pattern="[0-9]*"
        value={code}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'code-error' : undefined}
        onInput={(event) => setCode((event.target as HTMLInputElement).value)}
      />
      <StepFooter errorId="code-error" error={error} busy={busy} action="Verify" onOtherWays={props.onOtherWays} />
    </form>
  );
}
