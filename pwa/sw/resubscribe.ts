/**
 * `pushsubscriptionchange`: the browser replaced (or dropped) the push subscription — Firefox and
 * Safari do when a push service rotates or expires one. Take the new one (or subscribe again
 * with the same VAPID key) and send it to every tenant's relay, device-signed, so pushes keep
 * arriving without the app being opened.
 */
import { callRelay } from '../../shared/relay/callRelay';
import { pushSubscription as pushSubscriptionSchema, vapidPublicKey } from '../../shared/schemas/devices';
import { sendSubscription } from '../src/push/sendSubscription';
import { loadAccounts } from '../src/store/accountStore';

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export async function resubscribe(
  registration: ServiceWorkerRegistration,
  old: PushSubscription | null | undefined,
  fresh: PushSubscription | null | undefined,
): Promise<void> {
  const accounts = await loadAccounts();
  if (accounts.length === 0) return;
  let subscription = fresh ?? (await registration.pushManager.getSubscription());
  if (!subscription) {
    const applicationServerKey =
      old?.options.applicationServerKey ??
      keyBytes((await callRelay(`${accounts[0].relayUrl}/api/push/vapid-public-key`, { answer: vapidPublicKey })).publicKey);
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  }
  const parsed = pushSubscriptionSchema.safeParse(subscription.toJSON());
  if (!parsed.success) return;
  await sendSubscription(accounts, parsed.data);
}
