import { useEffect, useRef, useState } from 'preact/hooks';
import type { Decision } from '../../../shared/approvalChallenge';
import type { SignInRequestDetails } from '../../../shared/schemas/signInRequests';
import { type AnswerOutcome, answerSignInRequest, outcomeMessage } from '../requests/answerSignInRequest';
import { closeRequest, fetchRequest, findRequest, requestReceivedAt } from '../requests/requestStore';
import { type TrustOutcome, trustBrowser } from '../requests/trustBrowser';
import { displayText } from '../../../shared/displayText';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { type Account, accountName } from '../store/accountStore';
import { isClockSkew } from '../../../shared/relay/relayClock';
import { accountView, clockOffWords, syncAll } from '../store/organizationState';
import { useAnnounce } from '../ui/announce';
import { describeMinutes, formatClock, formatSeconds, useNow } from '../ui/hooks';
import { routes } from '../ui/router';
import { usePendingRequests } from '../ui/stores';

/** Outcomes after which the request is over, here and at the relay. */
const final = new Set<AnswerOutcome['kind']>([
  'approved',
  'denied',
  'reported',
  'wrong_number',
  'expired',
  'answered_elsewhere',
  'gone',
  'phishing_blocked',
]);

type Load = { state: 'loading' } | { state: 'ready'; details: SignInRequestDetails } | { state: 'failed'; message: string };

/**
 * Approve sign-in request: the account, what is signing in and from where, the time left, the number
 * field, and Approve / Deny / No, it's not me. For push-MFA requests the same, without the
 * passwordless wording.
 */
export function Approve({ account, requestId }: { account: Account | undefined; requestId: string }) {
  const pending = usePendingRequests();
  const now = useNow();
  const [load, setLoad] = useState<Load>(() => {
    const known = findRequest(requestId);
    return known && known.registrationId === account?.registrationId ? { state: 'ready', details: known } : { state: 'loading' };
  });
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState<Decision>();
  const [outcome, setOutcome] = useState<AnswerOutcome>();
  const [confirmingReport, setConfirmingReport] = useState(false);
  const numberField = useRef<HTMLInputElement>(null);
  const ready = load.state === 'ready';
  useAnnounce(ready ? 'Approve sign-in request' : undefined);
  // The number field has the focus as soon as the request is shown: the phone's keyboard opens at once.
  useEffect(() => {
    if (ready) numberField.current?.focus();
  }, [ready]);
  const [trust, setTrust] = useState<'asking' | 'busy' | 'declined' | TrustOutcome>('asking');

  // Always ask the relay: a request cancelled at the desktop may not have been announced yet.
  useEffect(() => {
    if (!account) return;
    let current = true;
    fetchRequest(account, requestId).then(
      (details) => current && setLoad({ state: 'ready', details }),
      (error) => {
        if (!current) return;
        const gone = error instanceof RelayProblem && (error.code === 'request_not_found' || error.code === 'request_expired');
        // Only this account's request is over: the same id may be another account's (a 404 says nothing of it).
        if (gone && findRequest(requestId)?.registrationId === account.registrationId) closeRequest(requestId);
        // Offline with the details at hand: show them; answering will say it cannot be sent.
        setLoad((previous) =>
          previous.state === 'ready' && !gone
            ? previous
            : {
                state: 'failed',
                message:
                  error instanceof RelayUnreachable
                    ? "Can't reach your organization's Nod service to read this request. Check your connection, or sign in with a verification code."
                    : isClockSkew(error)
                      ? `${clockOffWords}.`
                      : error instanceof RelayProblem && error.code === 'request_expired'
                        ? outcomeMessage({ kind: 'expired' }, 'passwordless')
                        : 'This sign-in request is no longer waiting: it was answered, cancelled or has expired.',
              },
        );
      },
    );
    return () => {
      current = false;
    };
  }, [account?.registrationId, requestId]);

  if (!account) {
    return (
      <Panel title="Sign-in request">
        <p role="status">This phone no longer holds the account this request is for.</p>
      </Panel>
    );
  }
  if (load.state === 'loading')
    return (
      <Panel title="Sign-in request">
        <p role="status">Loading the request…</p>
      </Panel>
    );
  if (load.state === 'failed')
    return (
      <Panel title="Sign-in request">
        <p role="status">{load.message}</p>
      </Panel>
    );

  const { details } = load;
  const passwordless = details.kind === 'passwordless';
  const left = (Date.parse(details.expiresAt) - now) / 1000;
  const stillListed = pending.some((r) => r.requestId === details.requestId);
  // Over: answered here, answered elsewhere or expired (the live channel or the clock says so).
  const closedElsewhere = !busy && !stillListed && !(outcome && final.has(outcome.kind));
  const expired = left <= 0 && !(outcome && final.has(outcome.kind));
  const over = (outcome && final.has(outcome.kind)) || closedElsewhere || expired;

  const answer = async (decision: Decision) => {
    setConfirmingReport(false);
    setBusy(decision);
    setOutcome(undefined);
    try {
      let result = await answerSignInRequest(account, details, decision, typed);
      // The passkey check failed twice in a row: it is not a slip of the finger, the passkey is gone.
      if (result.kind === 'not_verified' && outcome?.kind === 'not_verified') result = { kind: 'passkey_missing', detail: result.detail };
      setOutcome(result);
      if (final.has(result.kind)) closeRequest(details.requestId);
      // A report changes what the relay does for this account: read it again.
      if (result.kind === 'reported') void syncAll();
    } finally {
      setBusy(undefined);
    }
  };

  const { context } = details;
  const received = requestReceivedAt(details.requestId);
  const view = accountView(account.registrationId);
  const blockMinutes = typeof view === 'object' ? view.reportBlockMinutes : undefined;
  const offerTrust = outcome?.kind === 'approved' && context.signedBy && !context.signedBy.registered;
  const askTrust = async () => {
    setTrust('busy');
    setTrust(await trustBrowser(account, details));
  };
  return (
    <Panel title="Approve sign-in request">
      <p>
        {passwordless
          ? `Someone is signing in to ${details.tenantDisplayName} as ${details.username} with phone sign-in, without a password.`
          : `${details.username} at ${details.tenantDisplayName} entered a first sign-in step and needs your approval to finish.`}
      </p>
      <dl class="facts">
        <dt>Account</dt>
        <dd>
          {accountName(account)} ({account.username})
        </dd>
        {context.applicationName && (
          <>
            <dt>Application</dt>
            <dd>{displayText(context.applicationName)}</dd>
          </>
        )}
        {context.location && (
          <>
            <dt>Location</dt>
            <dd>{context.location}</dd>
          </>
        )}
        {context.browser && (
          <>
            <dt>Browser and OS</dt>
            <dd>{displayText(context.browser)}</dd>
          </>
        )}
        {received !== undefined && (
          <>
            <dt>Time</dt>
            <dd>
              <time dateTime={new Date(received).toISOString()}>{formatClock(received)}</time>
            </dd>
          </>
        )}
        <dt>Site</dt>
        <dd data-testid="site">
          {context.origin ? `${displayText(context.origin, 300)} ` : ''}
          <span class={context.siteCheck === 'browser' ? 'badge ok' : 'badge warn'}>{siteCheck(context)}</span>
        </dd>
      </dl>
      {!over && (
        <p class="timer" role="timer" aria-label="Time left">
          {formatSeconds(left)} left
        </p>
      )}
      {!over && (
        <form
          class="stack number-entry"
          onSubmit={(event) => {
            event.preventDefault();
            void answer('approve');
          }}
        >
          <div class="number-box">
            <label for="typed-number">Enter the number shown to sign in</label>
            <input
              id="typed-number"
              ref={numberField}
              class="number"
              inputMode="numeric"
              pattern="[0-9]*"
              maxLength={2}
              autocomplete="off"
              value={typed}
              onInput={(e) => setTyped(e.currentTarget.value.replace(/\D/g, ''))}
            />
          </div>
          <button type="submit" class="button primary" disabled={!!busy}>
            {busy === 'approve' ? 'Approving…' : 'Approve'}
          </button>
          <button type="button" class="button" disabled={!!busy} onClick={() => answer('deny')}>
            Deny
          </button>
          <button type="button" class="button danger" disabled={!!busy} onClick={() => setConfirmingReport(true)}>
            No, it's not me
          </button>
        </form>
      )}
      {!over && confirmingReport && (
        <ReportSheet
          tenant={details.tenantDisplayName}
          blockMinutes={blockMinutes}
          busy={!!busy}
          onReport={() => answer('report')}
          onBack={() => setConfirmingReport(false)}
        />
      )}
      <p role="status" class={outcome && !['approved', 'denied'].includes(outcome.kind) ? 'outcome warn' : 'outcome'}>
        {outcome && final.has(outcome.kind)
          ? outcomeMessage(outcome, details.kind)
          : expired
            ? outcomeMessage({ kind: 'expired' }, details.kind)
            : closedElsewhere
              ? 'This sign-in request is no longer waiting: it was answered, cancelled or has expired.'
              : outcome
                ? outcomeMessage(outcome, details.kind)
                : ''}
      </p>
      {outcome?.kind === 'passkey_missing' && (
        <a class="button" href={routes.account(account.registrationId)}>
          Remove and add the account again
        </a>
      )}
      {offerTrust && trust !== 'declined' && (
        <section class="trust-browser" aria-labelledby="trust-heading">
          <h3 id="trust-heading">Trust this browser for future sign-ins?</h3>
          {typeof trust === 'object' ? (
            <p role="status">
              {trust.kind === 'trusted'
                ? `${trust.name} is now one of your browsers: its sign-ins show the site it checked. You can remove it in My Sign-ins or under this account.`
                : trust.kind === 'not_verified'
                  ? "Your PIN or biometric wasn't confirmed, so the browser was not trusted."
                  : trust.kind === 'offline'
                    ? "Can't reach your organization's Nod service, so the browser was not trusted."
                    : (trust.detail ?? 'The browser could not be trusted.')}
            </p>
          ) : (
            <>
              <p>
                {displayText(context.signedBy!.name)} brokered this sign-in. Trust it only if it is your own browser: its next sign-ins will
                show the site it checked.
              </p>
              <button type="button" class="button primary" disabled={trust === 'busy'} onClick={() => void askTrust()}>
                {trust === 'busy' ? 'Checking…' : 'Trust this browser'}
              </button>
              <button type="button" class="button" disabled={trust === 'busy'} onClick={() => setTrust('declined')}>
                Not now
              </button>
            </>
          )}
        </section>
      )}
      {over && (
        <a class="button" href={routes.home}>
          Done
        </a>
      )}
    </Panel>
  );
}

/**
 * "No, it's not me" asks first, and says what the relay will do (server/limits/reportSignIn):
 * deny, report to the organization, hold phone sign-in from new browsers, block the request's place.
 */
function ReportSheet(props: { tenant: string; blockMinutes: number | undefined; busy: boolean; onReport: () => void; onBack: () => void }) {
  const sheet = useRef<HTMLElement>(null);
  useEffect(() => sheet.current?.focus(), []);
  return (
    <section
      ref={sheet}
      tabIndex={-1}
      class="stack sheet"
      role="alertdialog"
      aria-labelledby="report-heading"
      aria-describedby="report-words"
    >
      <h2 id="report-heading">Report this sign-in?</h2>
      <ul id="report-words">
        <li>The request is denied: nobody is signed in.</li>
        <li>The sign-in is reported to {props.tenant}, with where it came from.</li>
        <li>
          Phone sign-in for this account is paused: requests from browsers you have never signed in with wait until you sign in once from a
          browser you used before, or until your admin clears it.
        </li>
        <li>
          Requests from the same network and browser as this one stop reaching you
          {props.blockMinutes ? ` for ${describeMinutes(props.blockMinutes)}` : ''}.
        </li>
        <li>Your verification codes, and browsers you have used before, keep working.</li>
      </ul>
      <button type="button" class="button danger" disabled={props.busy} onClick={props.onReport}>
        Report it
      </button>
      <button type="button" class="button" disabled={props.busy} onClick={props.onBack}>
        Go back
      </button>
    </section>
  );
}

function Panel({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <section class="approve" aria-labelledby="approve-heading">
      <h2 id="approve-heading">{title}</h2>
      {children}
    </section>
  );
}

/**
 * Who checked the site: a browser you registered (the Nod extension reads the tab's real address and
 * signs it), or nobody of yours. A page's own Origin header is the relay's check only: a script can
 * claim any site, so it is "not checked by your browser".
 */
function siteCheck(context: SignInRequestDetails['context']): string {
  switch (context.siteCheck) {
    case 'browser':
      return `Checked by your browser ${displayText(context.signedBy?.name ?? 'A browser', 60)}`;
    case 'relay':
      return 'Not checked by your browser';
    case 'unchecked':
      return 'The site could not be checked';
  }
}
