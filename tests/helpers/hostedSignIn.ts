/**
 * The hosted sign-in page's calls, made from Node: what the page's script does after the user
 * types a username and picks phone sign-in, with the phone's approval made by the software
 * authenticator. For OIDC tests that need a signed-in browser session but not a browser.
 */
import { CookieJar } from './cookieJar';
import type { TestPhone } from './enrollPhone';
import { answer, readRequest, watch } from './signInFlow';
import { fetchJson } from './startRelay';

export interface PhoneSignInResult {
  /** Where the provider sends the browser after the interaction (its resume URL). */
  redirectTo: string;
  requestId: string;
}

/** From an interaction URL: username → Next → phone sign-in → approve with the right number → finish. */
export async function signInWithPhoneAt(
  jar: CookieJar,
  relayUrl: string,
  interactionUrl: string,
  tenant: string,
  username: string,
  phone: TestPhone,
): Promise<PhoneSignInResult> {
  const page = await jar.fetch(interactionUrl);
  if (page.status !== 200) throw new Error(`interaction page: ${page.status}`);
  const methods = await jar.postJson(`${interactionUrl}/username`, { username }, relayUrl);
  if (methods.status !== 200 || !methods.body.methods.includes('phone_sign_in')) {
    throw new Error(`username step: ${methods.status} ${JSON.stringify(methods.body)}`);
  }
  const created = await fetchJson(`${relayUrl}/api/t/${tenant}/sign-in-requests`, {
    // As the hosted page does: it names its interaction, and the relay names the interaction's registered client.
    body: { username, kind: 'passwordless', origin: relayUrl, client: { interaction: new URL(interactionUrl).pathname.split('/').at(-1) } },
    // The page's own call: the browser sends its cookies (the known-browser cookie among them).
    headers: { origin: relayUrl, cookie: jar.cookieHeaderFor(new URL(`${relayUrl}/api/t/${tenant}/sign-in-requests`)) },
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const { requestId, number, collectorSecret } = created.body;
  const waiting = watch(relayUrl, requestId, collectorSecret, (s) => s.status !== 'pending');
  const details = await readRequest(phone, requestId);
  if (details.status !== 200) throw new Error(`phone read: ${details.status} ${JSON.stringify(details.body)}`);
  const answered = await answer(relayUrl, phone, details.body, 'approve', { typedNumber: number });
  if (answered.status !== 200) throw new Error(`answer: ${answered.status} ${JSON.stringify(answered.body)}`);
  const seen = await waiting;
  if (seen.states.at(-1)?.status !== 'approved') throw new Error(`not approved: ${JSON.stringify(seen.states)}`);
  const redeemed = await fetchJson(`${relayUrl}/api/sign-in-requests/${requestId}/redeem`, {
    method: 'POST',
    headers: { authorization: `Bearer ${collectorSecret}` },
  });
  if (redeemed.status !== 200) throw new Error(`redeem: ${redeemed.status} ${JSON.stringify(redeemed.body)}`);
  const finished = await jar.postJson(`${interactionUrl}/finish`, { grant: redeemed.body.grant }, relayUrl);
  if (finished.status !== 200) throw new Error(`finish: ${finished.status} ${JSON.stringify(finished.body)}`);
  return { redirectTo: new URL(finished.body.redirectTo, relayUrl).href, requestId };
}

/**
 * A browser where `username` signed in before (a known browser of the user): sign in once through
 * My Sign-ins with the phone, as a person would, so the jar holds the relay's sealed known-browser
 * cookie. `cookie` is the Cookie header that browser's pages send to the relay's API, for calls
 * made from Node as that browser (`createRequest(…, { cookie })`).
 */
export async function knownBrowserOf(
  relayUrl: string,
  tenant: string,
  username: string,
  phone: TestPhone,
  jar = new CookieJar(),
): Promise<{ jar: CookieJar; cookie: string }> {
  const { url } = await jar.follow(`${relayUrl}/t/${tenant}/my-sign-ins`, (u) => u.pathname.includes('/interaction/'));
  await signInWithPhoneAt(jar, relayUrl, url, tenant, username, phone);
  const cookie = jar.cookieHeaderFor(new URL(`${relayUrl}/api/t/${tenant}/sign-in-requests`));
  if (!cookie.includes(`nod_known_${tenant}=`)) throw new Error('no known-browser cookie after the sign-in');
  return { jar, cookie };
}
