import { useEffect, useRef, useState } from 'preact/hooks';
import type { HostedSignInBoot } from '../../../shared/schemas/hostedPages';
import { callRelay } from '../../../shared/relay/callRelay';
import { followEventStream } from '../../../shared/relay/followEventStream';
import { RelayProblem } from '../../../shared/relay/relayErrors';
import { noContent } from '../../../shared/schemas/common';
import { signInGrant } from '../../../shared/schemas/grants';
import {
  type RequestStatus,
  type SignInRequestCreated,
  deliveryGraceMs,
  signInRequestCreated,
  signInRequestEvents,
} from '../../../shared/schemas/signInRequests';
import { collectorKey } from '../collectorKey';
import { failureWords } from '../failureWords';
import { listenToExtension, tellExtension } from '../extensionBridge';
import { statusWords } from './words';
import { announce } from '../announce';
import { coolDownWords, coolingDown } from '../../../shared/coolDown';

export type PhoneKind = 'passwordless' | 'mfa';
type Shown = RequestStatus | 'creating' | 'not_created' | 'brokered';

interface PhoneRequest {
  status: Shown;
  requestId?: string;
  number?: number;
  /** When the request expires, on this browser's clock (corrected by the relay's Date header). */
  expiresAt?: number;
  /** In a cool-down: when another request may be sent (this browser's clock); the resend actions wait until then. */
  retryAt?: number;
  error?: string;
  /** Created by the Nod extension: the number is in the extension's UI, not here. */
  brokered: boolean;
  /** While pending: whether a phone said the request reached it. */
  delivery?: 'sent' | 'delivered';
  /** When this page started waiting for it (this browser's clock): the fallbacks show after the grace. */
  sentAt?: number;
}

const created = (answer: SignInRequestCreated, skew: number): PhoneRequest => ({
  status: answer.status === 'cool_down' ? 'cool_down' : 'pending',
  requestId: answer.requestId,
  number: answer.status === 'cool_down' ? undefined : answer.number,
  expiresAt: Date.parse(answer.expiresAt) - skew,
  retryAt: answer.retryAt ? Date.parse(answer.retryAt) - skew : undefined,
  brokered: false,
  delivery: 'sent',
  sentAt: Date.now(),
});

/** How far the relay's clock is ahead of this browser's, from an answer's Date header. */
function clockSkew(response: Response | undefined): number {
  const date = response?.headers.get('date');
  const skew = date ? Date.parse(date) - Date.now() : 0;
  // The header has whole seconds: only a clearly wrong clock is worth correcting.
  return Math.abs(skew) < 3000 ? 0 : skew;
}

/** Create a sign-in request from the page (the relay checks the Origin header against `origin`). */
export async function createPhoneRequest(
  boot: HostedSignInBoot,
  username: string,
  kind: PhoneKind,
  password?: string,
): Promise<{ answer?: SignInRequestCreated; skew: number; error?: string; code?: string; retryAt?: number }> {
  let skew = 0;
  try {
    const answer = await callRelay(`/api/t/${encodeURIComponent(boot.tenant)}/sign-in-requests`, {
      body: {
        username,
        kind,
        origin: boot.origin,
        // The relay names the application from the interaction's registered client.
        client: { interaction: boot.uid },
        ...(password ? { password } : {}),
      },
      headers: { 'nod-collector-key': collectorKey() },
      answer: signInRequestCreated,
      onResponse: (response) => {
        skew = clockSkew(response);
      },
    });
    return { answer, skew };
  } catch (error) {
    const problem = error instanceof RelayProblem ? error : undefined;
    return {
      skew: 0,
      error: failureWords(error),
      code: problem?.code,
      // A refusal with Retry-After (too many attempts or waiting requests) is a cool-down too.
      ...(problem?.retryAfterSeconds ? { retryAt: Date.now() + problem.retryAfterSeconds * 1000 } : {}),
    };
  }
}

/**
 * Phone sign-in (or the push after a password): the number large, a countdown, and the live
 * state. Every end gives a plain message, **Send another request** and **Other ways to sign in**.
 */
export function PhoneStep(props: {
  boot: HostedSignInBoot;
  username: string;
  kind: PhoneKind;
  password?: string;
  /** A request the previous step already made (the password step). */
  initial?: { answer: SignInRequestCreated; skew: number };
  /** Let the Nod extension make and finish the request. */
  viaExtension: boolean;
  onRequest: (requestId: string | undefined) => void;
  /** The ways the relay offers this user, as the request's answer lists them. */
  onMethods?: (methods: string[]) => void;
  onGrant: (grant: string) => void;
  onOtherWays: () => void;
  /** Offered at once when the request does not reach the phone: the verification code, if this user has it. */
  onCode?: () => void;
}) {
  const { boot, username, kind } = props;
  const [request, setRequest] = useState<PhoneRequest>(
    props.initial ? created(props.initial.answer, props.initial.skew) : { status: 'creating', brokered: false },
  );
  const [now, setNow] = useState(Date.now());
  const secret = useRef<string | undefined>(props.initial?.answer.collectorSecret);
  const stop = useRef<() => void>(() => undefined);
  const attempt = useRef(0);

  const latest = useRef(request);
  latest.current = request;

  /** Stop following the request and end it if it still waits (the extension's, or ours at the relay). */
  const leave = (current: PhoneRequest) => {
    stop.current();
    if (current.brokered) {
      if (current.status !== 'approved' && current.status !== 'redeemed') tellExtension({ type: 'nod:phone-sign-in-cancelled' });
    } else if (current.requestId && secret.current && current.status === 'pending') {
      void callRelay(`/api/sign-in-requests/${encodeURIComponent(current.requestId)}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${secret.current}` },
        answer: noContent,
      }).catch(() => undefined);
    }
  };

  const redeem = async (requestId: string) => {
    try {
      const { grant } = await callRelay(`/api/sign-in-requests/${encodeURIComponent(requestId)}/redeem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret.current}` },
        answer: signInGrant,
      });
      props.onGrant(grant);
    } catch (error) {
      setRequest((r) => ({ ...r, status: 'failed', error: failureWords(error) }));
    }
  };

  /** Follow the request's live state until it ends (approved still waits for `redeemed`). */
  const follow = (requestId: string) => {
    stop.current();
    const controller = new AbortController();
    stop.current = () => controller.abort();
    const states = followEventStream(`/api/sign-in-requests/${encodeURIComponent(requestId)}/events`, {
      events: signInRequestEvents,
      headers: { authorization: `Bearer ${secret.current}` },
      signal: controller.signal,
      reconnect: { firstMs: 1000, maxMs: 8000 },
      // A dropped connection is tried again for as long as the page shows the request.
      shouldReconnect: () => true,
    });
    void (async () => {
      for await (const { data: state } of states) {
        setRequest((r) => (r.requestId === requestId ? { ...r, status: state.status, delivery: state.delivery ?? r.delivery } : r));
        if (state.status === 'approved') void redeem(requestId);
        else if (state.status !== 'pending') return;
      }
    })().catch(() => undefined);
  };

  const startOwn = async () => {
    const mine = ++attempt.current;
    stop.current();
    setRequest({ status: 'creating', brokered: false });
    const result = await createPhoneRequest(boot, username, kind, props.password);
    if (mine !== attempt.current) return;
    if (!result.answer) {
      setRequest({ status: 'not_created', error: result.error, brokered: false, retryAt: result.retryAt });
      setNow(Date.now());
      return;
    }
    const answer = result.answer;
    props.onMethods?.(answer.methods);
    secret.current = answer.collectorSecret;
    setRequest(created(answer, result.skew));
    setNow(Date.now());
    if (answer.status !== 'cool_down') follow(answer.requestId);
  };

  const start = () => {
    if (props.viaExtension && kind === 'passwordless') {
      ++attempt.current;
      stop.current();
      setRequest({ status: 'brokered', brokered: true });
      tellExtension({ type: 'nod:phone-sign-in-requested', username });
    } else {
      void startOwn();
    }
  };

  useEffect(() => {
    if (props.initial) follow(props.initial.answer.requestId);
    else start();
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(timer);
      // Leaving the step (Back, another way) ends a request still waiting: nothing stays pending on the phone.
      leave(latest.current);
    };
  }, []);

  // The extension's side of a brokered request: its status, then the grant.
  useEffect(() => {
    if (!request.brokered) return;
    return listenToExtension((message) => {
      if (message.type === 'nod:status') {
        if (message.status === 'not_created') {
          void startOwn();
          return;
        }
        setRequest((r) => ({
          ...r,
          status: message.status === 'pending' ? 'brokered' : message.status,
          requestId: message.requestId ?? r.requestId,
          expiresAt: message.expiresAt ? Date.parse(message.expiresAt) : r.expiresAt,
          retryAt: message.retryAt ? Date.parse(message.retryAt) : undefined,
        }));
      } else if (message.type === 'nod:grant') {
        setRequest((r) => ({ ...r, status: 'approved' }));
        props.onGrant(message.grant);
      }
    });
  }, [request.brokered]);

  useEffect(() => props.onRequest(request.requestId), [request.requestId]);

  const otherWays = () => props.onOtherWays();

  const words = statusWords[request.status] ?? statusWords.failed!;
  // The heading is announced, not focused (focus stays where the person is).
  useEffect(() => announce(words.title), [words.title]);
  const waiting = request.status === 'pending' || request.status === 'brokered' || request.status === 'creating';
  const signingIn = request.status === 'approved' || request.status === 'redeemed';
  const remaining = request.expiresAt === undefined ? undefined : Math.max(0, Math.ceil((request.expiresAt - now) / 1000));
  const overdue =
    request.status === 'pending' &&
    request.delivery !== 'delivered' &&
    request.sentAt !== undefined &&
    now - request.sentAt >= deliveryGraceMs;
  const waitsToRetry = coolingDown(request.retryAt, now);

  return (
    <section aria-labelledby="phone-heading">
      <h1 id="phone-heading">{words.title}</h1>
      {request.status === 'pending' && request.number !== undefined && (
        <>
          <p>{words.text}</p>
          <p class="number" data-testid="number">
            <span class="visually-hidden">Your number: </span>
            {request.number}
          </p>
          {remaining !== undefined && (
            <p class="countdown muted" data-testid="countdown">
              This request expires in {Math.floor(remaining / 60)}:{String(remaining % 60).padStart(2, '0')}
            </p>
          )}
        </>
      )}
      <div role="status" aria-live="polite" class={waiting ? 'status' : 'status end'}>
        {request.status === 'pending' && request.number !== undefined ? (
          <span class="muted" data-testid="delivery">
            {request.delivery === 'delivered' ? 'Delivered to your phone.' : 'Sent to your phone.'} Waiting for your approval…
          </span>
        ) : (
          <p>{request.error && request.status === 'not_created' ? request.error : words.text}</p>
        )}
      </div>
      {/* Outside the live region: a countdown read out every second would drown everything else. */}
      {request.retryAt !== undefined && !waiting && !signingIn && (
        <p class="muted" id="retry-words" data-testid="retry-words">
          {coolDownWords(request.retryAt, now)}
        </p>
      )}
      {overdue && (
        <div class="fallback" role="note" aria-label="Not on your phone yet?">
          <p>
            <strong>Not on your phone yet?</strong> Open the Nod app on your phone: it shows waiting requests as soon as it opens.
          </p>
          {props.onCode && (
            <p>
              <button type="button" class="link" onClick={props.onCode}>
                Use a verification code
              </button>
            </p>
          )}
        </div>
      )}
      {(request.status === 'creating' || signingIn) && <div class="spinner" aria-hidden="true" />}
      {!waiting && !signingIn && (
        <div class="actions">
          {request.status !== 'reported' && (
            <button
              type="button"
              class="primary"
              disabled={waitsToRetry}
              aria-describedby={request.retryAt !== undefined ? 'retry-words' : undefined}
              onClick={start}
            >
              Send another request
            </button>
          )}
        </div>
      )}
      {!signingIn && (
        <p>
          <button type="button" class="link" onClick={otherWays}>
            Other ways to sign in
          </button>
        </p>
      )}
    </section>
  );
}
