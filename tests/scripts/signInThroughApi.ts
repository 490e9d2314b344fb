/**
 * One full passwordless sign-in and one push-MFA sign-in through the relay's HTTP API alone,
 * narrated step by step. Run it: `npx tsx tests/scripts/signInThroughApi.ts`.
 * (A test runs it too, so it cannot rot.)
 */
import { pathToFileURL } from 'node:url';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import { startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

export async function signInThroughApi(say: (line: string) => void = console.log): Promise<{ passwordless: string[]; pushMfa: string[] }> {
  const world = await startSignInWorld();
  try {
    say(`relay at ${world.relay.url}; tenant contoso: Alice in Sales (mode any), Bob in Field (mode push, with a password)`);
    const alice = await world.enroll('alice@contoso.example');
    say(`Alice's phone enrolled with a Temporary Access Pass and enabled phone sign-in (registration ${alice.account.registrationId})`);

    const created = (
      await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example', client: { applicationName: 'Contoso Portal' } })
    ).body;
    say(`desktop: POST /api/t/contoso/sign-in-requests → show the number ${created.number}, wait on the event stream`);
    const waiting = watch(world.relay.url, created.requestId, created.collectorSecret, (s) => s.status === 'approved');
    const push = await world.push.waitFor((m) => m.payload?.requestId === created.requestId);
    say(
      `phone: push decrypted: "Approve sign-in request ${push.payload.context.applicationName} · ${push.payload.context.browser} · ${push.payload.context.location}"`,
    );
    const details = (await readRequest(alice, created.requestId)).body;
    await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number });
    say(`phone: typed ${created.number}, Approve, user verified; assertion bound to the request, nonce, number and decision`);
    const seen = await waiting;
    const grant = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.collectorSecret}` },
    });
    say(`desktop: heard ${seen.states.map((s) => s.status).join(' → ')}; redeemed a one-time grant (amr ${grant.body.amr.join(',')})`);

    const bob = await world.enroll('bob@contoso.example', { phoneSignIn: false });
    const mfa = (
      await createRequest(world.relay.url, 'contoso', { username: 'bob@contoso.example', kind: 'mfa', password: 'correct horse battery' })
    ).body;
    say(`desktop: Bob's password accepted; push MFA request with the number ${mfa.number}`);
    const bobWaiting = watch(world.relay.url, mfa.requestId, mfa.collectorSecret, (s) => s.status === 'approved');
    const bobDetails = (await readRequest(bob, mfa.requestId)).body;
    await answer(world.relay.url, bob, bobDetails, 'approve', { typedNumber: mfa.number, userVerified: false });
    const bobSeen = await bobWaiting;
    const bobGrant = await fetchJson(`${world.relay.url}/api/sign-in-requests/${mfa.requestId}/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mfa.collectorSecret}` },
    });
    say(`desktop: heard ${bobSeen.states.map((s) => s.status).join(' → ')}; redeemed (amr ${bobGrant.body.amr.join(',')})`);
    return { passwordless: grant.body.amr, pushMfa: bobGrant.body.amr };
  } finally {
    await world.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  signInThroughApi().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
