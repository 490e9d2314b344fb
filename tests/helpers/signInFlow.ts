/**
 * The desktop and phone sides of a sign-in request over the relay's HTTP API, for tests:
 * create a request as a desktop would, answer it as the PWA would (real assertion over the
 * bound challenge, real device signature), and read the collector's event stream.
 */
import {
  approvalChallenge,
  boundSite,
  browserTrustChallenge,
  canonicalApproval,
  canonicalBrowserTrust,
  type Decision,
} from '../../shared/approvalChallenge';
import { signWithDeviceKey } from '../../shared/deviceSignature';
import { readEventStream } from '../../shared/relay/readEventStream';
import type { SignInRequestCreated, SignInRequestDetails, SignInRequestState } from '../../shared/schemas/signInRequests';
import type { TestPhone } from './enrollPhone';
import { fetchJson } from './startRelay';

export async function createRequest(
  relayUrl: string,
  tenant: string,
  body: { username: string; kind?: 'passwordless' | 'mfa'; origin?: string; password?: string; client?: object },
  headers: Record<string, string> = {},
): Promise<{ status: number; body: SignInRequestCreated & Record<string, any> }> {
  const result = await fetchJson(`${relayUrl}/api/t/${tenant}/sign-in-requests`, {
    body: { origin: 'https://portal.contoso.example', ...body },
    headers: {
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36',
      ...headers,
    },
  });
  return { status: result.status, body: result.body };
}

/** The phone's view of a pending request. */
export async function readRequest(
  phone: TestPhone,
  requestId: string,
): Promise<{ status: number; body: SignInRequestDetails & Record<string, any> }> {
  return phone.call('GET', `/api/device/sign-in-requests/${requestId}`);
}

export interface AnswerOptions {
  typedNumber?: number | null;
  userVerified?: boolean;
  /** Bind the assertion to something else than what is sent (re-binding attacks). */
  challengeFor?: { requestId?: string; nonce?: string; site?: string; typedNumber?: number | null; decision?: Decision };
  /** Send this assertion instead of making one. */
  assertion?: unknown;
  /** Omit the assertion. */
  noAssertion?: boolean;
  signCount?: number;
  registrationId?: string;
  /** Sign with another phone's device key. */
  signer?: TestPhone;
}

/** Answer as the PWA does; returns the HTTP result and the body that was sent (for replays). */
export async function answer(
  relayUrl: string,
  phone: TestPhone,
  details: Pick<SignInRequestDetails, 'requestId' | 'nonce' | 'webauthn' | 'context'>,
  decision: Decision,
  options: AnswerOptions = {},
): Promise<{ status: number; body: any; sent: unknown }> {
  const typedNumber = options.typedNumber ?? null;
  const binding = { requestId: details.requestId, nonce: details.nonce, site: boundSite(details.context), typedNumber, decision };
  const challenge = await approvalChallenge({ ...binding, ...options.challengeFor });
  const assertion =
    options.assertion ??
    (options.noAssertion || decision !== 'approve'
      ? undefined
      : await phone.authenticator.authenticate(
          { challenge, rpId: details.webauthn.rpId, allowCredentials: details.webauthn.allowCredentials },
          { userVerified: options.userVerified ?? true, signCount: options.signCount },
        ));
  const signer = options.signer ?? phone;
  const sent = {
    registrationId: options.registrationId ?? phone.account.registrationId,
    decision,
    typedNumber,
    ...(assertion ? { assertion } : {}),
    deviceSignature: await signWithDeviceKey(signer.deviceKey.privateKey, canonicalApproval(binding)),
  };
  const result = await fetchJson(`${relayUrl}/api/sign-in-requests/${details.requestId}/answer`, { body: sent });
  return { status: result.status, body: result.body, sent };
}

/** "Trust this browser for future sign-ins?" answered yes on the phone, as the PWA does (passkey with user verification). */
export async function trustBrowserOnPhone(
  relayUrl: string,
  phone: TestPhone,
  details: Pick<SignInRequestDetails, 'requestId' | 'nonce' | 'webauthn' | 'context'>,
  options: { userVerified?: boolean; browserId?: string; signer?: TestPhone; registrationId?: string } = {},
): Promise<{ status: number; body: any }> {
  const binding = { requestId: details.requestId, nonce: details.nonce, browserId: options.browserId ?? details.context.signedBy!.id };
  const assertion = await phone.authenticator.authenticate(
    { challenge: await browserTrustChallenge(binding), rpId: details.webauthn.rpId, allowCredentials: details.webauthn.allowCredentials },
    { userVerified: options.userVerified ?? true },
  );
  return fetchJson(`${relayUrl}/api/sign-in-requests/${details.requestId}/trust-browser`, {
    body: {
      registrationId: options.registrationId ?? phone.account.registrationId,
      assertion,
      deviceSignature: await signWithDeviceKey((options.signer ?? phone).deviceKey.privateKey, canonicalBrowserTrust(binding)),
    },
  });
}

/**
 * Read the collector's event stream until a state satisfies `until`, the relay ends the stream
 * (`ended`), or the timeout passes.
 */
export async function watch(
  relayUrl: string,
  requestId: string,
  collectorSecret: string,
  until: (state: SignInRequestState) => boolean,
  options: { lastEventId?: string; timeoutMs?: number; onState?: (state: SignInRequestState) => void } = {},
): Promise<{ states: SignInRequestState[]; ids: string[]; status: number; ended: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000);
  const states: SignInRequestState[] = [];
  const ids: string[] = [];
  try {
    const response = await fetch(`${relayUrl}/api/sign-in-requests/${requestId}/events`, {
      headers: {
        authorization: `Bearer ${collectorSecret}`,
        ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
      },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) return { states, ids, status: response.status, ended: true };
    for await (const event of readEventStream(response.body)) {
      const state = JSON.parse(event.data) as SignInRequestState;
      states.push(state);
      if (event.id !== undefined) ids.push(event.id);
      options.onState?.(state);
      if (until(state)) {
        controller.abort();
        return { states, ids, status: response.status, ended: false };
      }
    }
    return { states, ids, status: response.status, ended: true };
  } catch (error) {
    if ((error as Error).name === 'AbortError') return { states, ids, status: 200, ended: false };
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
