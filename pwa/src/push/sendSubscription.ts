/**
 * Telling each tenant's relay which push subscription this phone has: the one place the app (at
 * start, after a permission) and the service worker (after `pushsubscriptionchange`) do it.
 * Device-signed, so only the phone itself can move where its pushes go.
 */
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { type PushSubscriptionJson, pushSubscriptionSaved } from '../../../shared/schemas/devices';
import { type Account, devicesOf, updateAccount } from '../store/accountStore';

/** PUT the subscription to every device that does not have it yet (or to all, with `force`). */
export async function sendSubscription(accounts: Account[], subscription: PushSubscriptionJson, force = false): Promise<void> {
  for (const device of devicesOf(accounts)) {
    const ofDevice = accounts.filter((a) => device.registrationIds.includes(a.registrationId));
    if (!force && ofDevice.every((a) => a.pushEndpoint === subscription.endpoint)) continue;
    const { pushState } = await callRelayAsDevice(device, '/api/device/push', {
      method: 'PUT',
      body: { subscription },
      answer: pushSubscriptionSaved,
    });
    for (const account of ofDevice) await updateAccount(account.registrationId, { pushState, pushEndpoint: subscription.endpoint });
  }
}
