/**
 * What the service worker tells the relay after a push: that a sign-in request reached this
 * phone (its delivery receipt, which the desktop shows as "Delivered"), or that the daily health
 * check got here. Device-signed with the key of the account's tenant, read from IndexedDB.
 * Best effort: a receipt that cannot be sent (offline) costs nothing but the "Delivered" stage.
 */
import { callRelayAsDevice } from '../../shared/relay/callRelayAsDevice';
import { noContent } from '../../shared/schemas/common';
import type { PushPayload } from '../../shared/schemas/devices';
import { loadAccounts } from '../src/store/accountStore';

export async function acknowledgeSignInPush(payload: Extract<PushPayload, { type: 'sign_in_request' }>): Promise<void> {
  const account = (await loadAccounts()).find((a) => a.registrationId === payload.registrationId);
  if (!account) return;
  await callRelayAsDevice(account, `/api/device/sign-in-requests/${encodeURIComponent(payload.requestId)}/received`, {
    method: 'POST',
    body: { via: 'push' },
    answer: noContent,
  }).catch(() => undefined);
}

export async function answerHealthCheck(payload: Extract<PushPayload, { type: 'push_health_check' }>): Promise<void> {
  const account = (await loadAccounts()).find((a) => a.deviceId === payload.deviceId);
  if (!account) return;
  await callRelayAsDevice(account, '/api/device/push/received', { method: 'POST', answer: noContent }).catch(() => undefined);
}
