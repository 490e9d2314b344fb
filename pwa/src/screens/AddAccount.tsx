import { useEffect, useRef, useState } from 'preact/hooks';
import type { EnrollmentStart } from '../../../shared/schemas/enrollment';
import { type EnrollmentStarted, finishEnrollment, phoneName, startEnrollment } from '../enrollment/enrollAccount';
import { parseEnrollmentLink } from '../enrollment/parseEnrollmentLink';
import type { FoundOrganization } from '../enrollment/findOrganization';
import { setUpPush } from '../push/pushSubscription';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { type Account, accountName, currentAccounts } from '../store/accountStore';
import { routes } from '../ui/router';
import { NotificationsSetting } from './NotificationsSetting';
import { PhoneSignInSetting } from './PhoneSignInSetting';
import { ScanQrCode, canScanQrCodes } from './ScanQrCode';

/** Add account → Work or school account: the seed's words, one choice per screen. */
export function AddAccountChoice() {
  return (
    <section aria-labelledby="add-heading">
      <h2 id="add-heading">Add account</h2>
      <p>What kind of account are you adding?</p>
      <a class="button primary" href={routes.addWork}>
        Work or school account
      </a>
    </section>
  );
}

export function WorkAccountChoice() {
  return (
    <section aria-labelledby="work-heading">
      <h2 id="work-heading">Work or school account</h2>
      <p>Sign in with the Temporary Access Pass from your admin, or use the link or QR code from My Sign-ins.</p>
      <a class="button primary" href={routes.signIn}>
        Sign in
      </a>
      <a class="button" href={routes.link}>
        {canScanQrCodes() ? 'Scan QR code or paste link' : 'Paste enrollment link'}
      </a>
    </section>
  );
}

function plainError(error: unknown): string {
  if (error instanceof RelayProblem) {
    if (error.code === 'tap_invalid')
      return 'That Temporary Access Pass isn’t valid for this username. Check both, or ask your admin for a new pass.';
    if (error.code === 'tenant_not_found') return 'No organization by that name uses Nod here. Check the organization name.';
    // A refused field in people's words, never the wire's ("body field tenant: …").
    if (error.code === 'validation_failed') return 'Check your username and Temporary Access Pass, then try again.';
    return error.detail ?? error.message;
  }
  if (error instanceof RelayUnreachable) return error.message;
  const name = (error as Error)?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return "The passkey wasn't created (it was cancelled, or your PIN or biometric wasn't confirmed). Start again to add the account.";
  }
  if (name === 'InvalidStateError') return 'This phone already holds this account. Remove it first to add it again.';
  return (error as Error)?.message || 'Something went wrong. Try again.';
}

type Step =
  | { name: 'form'; error?: string }
  | { name: 'starting' }
  | { name: 'confirm'; started: EnrollmentStarted; error?: string }
  | { name: 'creating'; started: EnrollmentStarted }
  | { name: 'done'; registrationId: string };

/** The enrollment itself: start at the relay, create the passkey, finish, then set up the account. */
function useEnrollment(relayUrl: string) {
  const [step, setStep] = useState<Step>({ name: 'form' });
  const start = async (input: EnrollmentStart) => {
    setStep({ name: 'starting' });
    try {
      setStep({ name: 'confirm', started: await startEnrollment(relayUrl, input) });
    } catch (error) {
      setStep({ name: 'form', error: plainError(error) });
    }
  };
  const create = async (started: EnrollmentStarted) => {
    setStep({ name: 'creating', started });
    try {
      const account = await finishEnrollment(relayUrl, started, phoneName());
      setStep({ name: 'done', registrationId: account.registrationId });
      void setUpPush(currentAccounts() ?? []);
    } catch (error) {
      // The enrollment session is used up after a failed finish at the relay; start again then.
      if (error instanceof RelayProblem) setStep({ name: 'form', error: plainError(error) });
      else setStep({ name: 'confirm', started, error: plainError(error) });
    }
  };
  return { step, start, create };
}

export function EnrollWithPass({ relayUrl, accounts }: { relayUrl: string; accounts: Account[] }) {
  const { step, start, create } = useEnrollment(relayUrl);
  const [organization, setOrganization] = useState('');
  const [otherOrganization, setOtherOrganization] = useState(false);
  const [finding, setFinding] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [username, setUsername] = useState('');
  const [pass, setPass] = useState('');
  if (step.name !== 'form' && step.name !== 'starting') return <EnrollmentSteps step={step} create={create} accounts={accounts} />;
  const error = problem ?? (step.name === 'form' ? step.error : undefined);
  const busy = finding || step.name === 'starting';
  /** The organization from the username's domain (or the Other organization field), then the enrollment. */
  const submit = async () => {
    setProblem(undefined);
    setFinding(true);
    let found: FoundOrganization;
    try {
      // Loaded when first used: it stays out of the app's initial script (its budget, pwa/build.ts).
      const { findOrganization } = await import('../enrollment/findOrganization');
      found = await findOrganization(relayUrl, username, otherOrganization ? organization : undefined);
    } catch (error) {
      found = { error: plainError(error), askName: false };
    } finally {
      setFinding(false);
    }
    if ('error' in found) {
      setProblem(found.error);
      if (found.askName) setOtherOrganization(true);
      return;
    }
    void start({ tenant: found.tenant, username: username.trim(), temporaryAccessPass: pass.trim() });
  };
  return (
    <section aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading">Sign in</h2>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label for="username">Username</label>
        <input
          id="username"
          type="email"
          required
          autocapitalize="none"
          autocomplete="username"
          placeholder="you@contoso.example"
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="tap">Temporary Access Pass</label>
        <input
          id="tap"
          required
          autocapitalize="none"
          autocomplete="one-time-code"
          spellcheck={false}
          value={pass}
          onInput={(e) => setPass(e.currentTarget.value)}
        />
        {otherOrganization ? (
          <>
            <label for="tenant">Organization</label>
            <input
              id="tenant"
              autocapitalize="none"
              autocomplete="organization"
              aria-describedby="tenant-hint"
              value={organization}
              onInput={(e) => setOrganization(e.currentTarget.value)}
            />
            <p id="tenant-hint" class="muted">
              Only when your username’s domain isn’t found: the name your admin gave you, such as Contoso.
            </p>
          </>
        ) : (
          <button type="button" class="link" onClick={() => setOtherOrganization(true)}>
            Other organization
          </button>
        )}
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}

export function EnrollWithLink({ relayUrl, accounts, code }: { relayUrl: string; accounts: Account[]; code?: string }) {
  const { step, start, create } = useEnrollment(relayUrl);
  const [text, setText] = useState(code ?? '');
  const [problem, setProblem] = useState<string>();
  const [scanning, setScanning] = useState(false);
  const opened = useRef(false);
  const use = (value: string) => {
    const link = parseEnrollmentLink(value, location.origin);
    if (!link.ok) return setProblem(link.message);
    setProblem(undefined);
    void start({ enrollmentCode: link.code });
  };
  // Opened from the link itself (#/enroll?code=…): start at once.
  useEffect(() => {
    if (code && !opened.current) {
      opened.current = true;
      use(code);
    }
  }, [code]);
  if (step.name !== 'form' && step.name !== 'starting') return <EnrollmentSteps step={step} create={create} accounts={accounts} />;
  const error = problem ?? (step.name === 'form' ? step.error : undefined);
  return (
    <section aria-labelledby="link-heading">
      <h2 id="link-heading">Use the link from My Sign-ins</h2>
      {scanning && (
        <ScanQrCode
          onCode={(value) => {
            setScanning(false);
            setText(value);
            use(value);
          }}
          onClose={() => setScanning(false)}
        />
      )}
      {canScanQrCodes() && !scanning && (
        <button type="button" class="button" onClick={() => setScanning(true)}>
          Scan QR code
        </button>
      )}
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          use(text);
        }}
      >
        <label for="enrollment-link">Enrollment link or code</label>
        <input
          id="enrollment-link"
          required
          autocapitalize="none"
          spellcheck={false}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" class="button primary" disabled={step.name === 'starting'}>
          Continue
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}

function EnrollmentSteps({
  step,
  create,
  accounts,
}: {
  step: Exclude<Step, { name: 'form' | 'starting' }>;
  create: (started: EnrollmentStarted) => void;
  accounts: Account[];
}) {
  if (step.name === 'done') {
    const account = accounts.find((a) => a.registrationId === step.registrationId);
    return (
      <section aria-labelledby="done-heading">
        <h2 id="done-heading">Account added</h2>
        {account && (
          <>
            <p>
              {accountName(account)} ({account.username}) at {account.tenantDisplayName} is on this phone. Your verification codes work even
              offline.
            </p>
            <NotificationsSetting />
            <PhoneSignInSetting account={account} />
          </>
        )}
        <a class="button" href={routes.home}>
          Done
        </a>
      </section>
    );
  }
  const { started } = step;
  return (
    <section aria-labelledby="confirm-heading">
      <h2 id="confirm-heading">Set up {started.tenantDisplayName}</h2>
      <p>
        Hi {started.displayName} ({started.username}). Next, confirm with your PIN or biometric: this creates the key that approves your
        sign-ins. No password is ever created.
      </p>
      <button type="button" class="button primary" disabled={step.name === 'creating'} onClick={() => create(started)}>
        {step.name === 'creating' ? 'Adding account…' : 'Continue'}
      </button>
      {step.name === 'confirm' && step.error && (
        <p class="error" role="alert">
          {step.error}
        </p>
      )}
    </section>
  );
}
