import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { RelayProblem } from '../../../shared/relay/relayErrors';
import { type SignInRequestCreated, signInRequestCreated } from '../../../shared/schemas/signInRequests';
import type { BrokeredSignIn } from './brokeredSignIn';

/** Signs a relay call with this browser's key, for one tenant (undefined: the browser is not registered there). */
export type BrowserSigner = (
  relayOrigin: string,
  tenant: string,
  request: { method: string; path: string; body: string; timestamp?: number },
) => Promise<string | undefined>;

export interface CreateRequestDeps {
  fetch: typeof fetch;
  now: () => number;
  /** The device-signed Authorization header for the browser key, when it is registered with the tenant. */
  sign: BrowserSigner;
  /** This browser's stable `Nod-Collector-Key`: a new request supersedes its older pending one. */
  collectorKey: () => Promise<string>;
}

/** What the person reads when the relay refuses, by the problem's code. */
const refusalMessages: Record<string, string> = {
  cool_down: 'Too many requests were denied or are waiting. Wait a few minutes, or use another way to sign in.',
  too_many_pending: 'Too many sign-in requests are waiting. Answer them on your phone, or wait a few minutes.',
  tenant_not_found: 'This organization is not known to its Nod service any more.',
  device_signature_invalid: 'The relay did not accept this browser’s key.',
};

/**
 * Create the sign-in's request at the relay (`POST /api/t/:tenant/sign-in-requests`) with this browser's
 * key, its collector key and the tab's real origin, and answer the record as it then stands: pending
 * with the number and the collector secret, cooling down, or not created (and why).
 */
export async function createBrokeredRequest(base: BrokeredSignIn, deps: CreateRequestDeps): Promise<BrokeredSignIn> {
  const path = `/api/t/${encodeURIComponent(base.tenant)}/sign-in-requests`;
  const send = async (signed: boolean) =>
    callRelayAsDevice(
      {
        relayUrl: base.relayOrigin,
        // A key that cannot sign (storage trouble) must not stop the sign-in: it goes unsigned, unmarked.
        sign: async (request) => (signed ? deps.sign(base.relayOrigin, base.tenant, request).catch(() => undefined) : undefined),
      },
      path,
      {
        // The origin is the tab's, as the browser reported it: the page never gets to say where it is.
        body: {
          username: base.username,
          kind: 'passwordless',
          origin: base.site,
          // The page's OIDC interaction: the relay names the application from it, never from the page's words.
          client: base.interaction ? { interaction: base.interaction } : {},
        },
        headers: { 'nod-collector-key': await deps.collectorKey() },
        answer: signInRequestCreated,
        credentials: 'omit',
        fetch: deps.fetch,
      },
    );
  let created: SignInRequestCreated;
  try {
    try {
      created = await send(true);
    } catch (error) {
      // The relay did not take this browser's key: a plain sign-in still works.
      if (!(error instanceof RelayProblem && error.status === 401)) throw error;
      created = await send(false);
    }
  } catch (error) {
    if (!(error instanceof RelayProblem)) {
      return { ...base, status: 'not_created', message: 'The relay could not be reached. Try again.', updatedAt: deps.now() };
    }
    const code = error.code;
    return {
      ...base,
      status: code === 'cool_down' || code === 'too_many_pending' ? 'cool_down' : 'not_created',
      message: refusalMessages[code] ?? error.detail?.slice(0, 300) ?? `The relay refused the sign-in (${error.status}).`,
      updatedAt: deps.now(),
    };
  }
  const coolingDown = created.status === 'cool_down';
  return {
    ...base,
    status: coolingDown ? 'cool_down' : 'pending',
    requestId: created.requestId,
    number: created.number,
    expiresAt: created.expiresAt,
    ...(created.retryAt ? { retryAt: created.retryAt } : {}),
    ...(coolingDown ? {} : { collectorSecret: created.collectorSecret }),
    message: coolingDown ? refusalMessages.cool_down : 'Open Nod on your phone and enter the number shown to sign in.',
    ...(coolingDown ? {} : { delivery: 'sent' as const, sentAt: deps.now() }),
    updatedAt: deps.now(),
  };
}
