/**
 * Web Push for the phone: notification permission, the browser's push subscription (one per
 * app installation, shared by every tenant's device), and telling each tenant's relay device
 * about it. Where push cannot be had the app still works: requests arrive while it is open.
 */
import { callRelay } from '../../../shared/relay/callRelay';
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import {
  type PushSubscriptionJson,
  deviceRegistrations,
  pushSubscription as pushSubscriptionSchema,
  vapidPublicKey,
} from '../../../shared/schemas/devices';
import { type Account, devicesOf } from '../store/accountStore';
import { sendSubscription } from './sendSubscription';

export type PushStatus =
  /** Notifications on, the subscription registered. */
  | 'subscribed'
  | 'subscribing'
  /** Permission not asked yet. */
  | 'ask'
  | 'denied'
  /** iOS/iPadOS outside an installed Home Screen app: no push there. */
  | 'ios-not-installed'
  /** No Push API, or the browser has no push service (subscribe failed or never answered). */
  | 'unavailable'
  /** The relay does not hand out a VAPID key, so it cannot push. */
  | 'relay-without-push'
  /** The relay's health check found pushes no longer reach this phone, and a new subscription is being made (or could not be). */
  | 'unreachable';

/** How long to wait for the browser's push service; some never answer (headless, no service). */
const pushSubscribeTimeoutMs = 10_000;

let status: PushStatus = initialStatus();
const listeners = new Set<() => void>();

function setStatus(next: PushStatus): void {
  status = next;
  for (const listener of listeners) listener();
}

export function pushStatus(): PushStatus {
  return status;
}

export function subscribePushStatus(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** What decides where notifications can start: read from the browser once, at load. */
export interface PushEnvironment {
  userAgent: string;
  platform: string;
  maxTouchPoints: number;
  /** Opened from the Home Screen (iOS's `navigator.standalone`, or `display-mode: standalone`). */
  standalone: boolean;
  /** Service worker, Push API and Notification API all present. */
  hasPush: boolean;
  permission: NotificationPermission | undefined;
}

/** iPhone, iPod, or an iPad (which says Macintosh, but has a touch screen). */
function isIos(environment: PushEnvironment): boolean {
  return /iPad|iPhone|iPod/.test(environment.userAgent) || (environment.platform === 'MacIntel' && environment.maxTouchPoints > 1);
}

/**
 * Where notifications stand before anything is asked. On iPhone and iPad, Web Push is only for a web app
 * opened from the Home Screen (iOS/iPadOS 16.4+): in a Safari tab the app says how to add it there
 * *before* it offers notifications, whatever APIs the tab happens to expose (asking there would only
 * end in a refusal or a subscription that never gets a push).
 */
export function initialPushStatus(environment: PushEnvironment): PushStatus {
  if (isIos(environment) && !environment.standalone) return 'ios-not-installed';
  if (!environment.hasPush) return isIos(environment) ? 'ios-not-installed' : 'unavailable';
  if (environment.permission === 'denied') return 'denied';
  if (environment.permission === 'default') return 'ask';
  return 'subscribing';
}

function initialStatus(): PushStatus {
  if (typeof window === 'undefined') return 'unavailable';
  const hasPush = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  return initialPushStatus({
    userAgent: navigator.userAgent,
    platform: navigator.platform,
    maxTouchPoints: navigator.maxTouchPoints,
    standalone: (navigator as Navigator & { standalone?: boolean }).standalone === true || matchMedia('(display-mode: standalone)').matches,
    hasPush,
    permission: hasPush ? Notification.permission : undefined,
  });
}

/** The subscription the browser already has, without asking for a new one. */
export async function currentPushSubscriptionJson(): Promise<PushSubscriptionJson | undefined> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return undefined;
  const registration = await navigator.serviceWorker.getRegistration();
  const existing = await withTimeout(registration?.pushManager.getSubscription() ?? Promise.resolve(null), 2_000);
  const parsed = existing ? pushSubscriptionSchema.safeParse(existing.toJSON()) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Drop the browser's subscription and make a new one with the same VAPID key; undefined when the browser gives none. */
async function renewSubscription(): Promise<PushSubscriptionJson | undefined> {
  const registration = await navigator.serviceWorker.ready;
  const existing = await withTimeout(registration.pushManager.getSubscription(), 2_000);
  const key = existing?.options.applicationServerKey;
  if (!existing || !key) return undefined;
  await existing.unsubscribe().catch(() => false);
  const created = await withTimeout(
    registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
    pushSubscribeTimeoutMs,
  );
  const parsed = created ? pushSubscriptionSchema.safeParse(created.toJSON()) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Ask for notification permission (call from a tap: some browsers only ask then). */
export async function askForNotifications(): Promise<NotificationPermission> {
  if (!('Notification' in window)) return 'denied';
  const permission = await Notification.requestPermission();
  setStatus(permission === 'granted' ? 'subscribing' : permission === 'denied' ? 'denied' : 'ask');
  return permission;
}

let setUp: Promise<void> | undefined;

/**
 * Make sure the browser has a push subscription and every tenant's device knows it. Safe to call
 * often; runs one at a time. Never throws: what went wrong becomes the push status.
 */
export function setUpPush(accounts: Account[]): Promise<void> {
  setUp ??= doSetUpPush(accounts).finally(() => {
    setUp = undefined;
  });
  return setUp;
}

/** Set once the browser's push service never answered: asking again each time would only wait again. */
let noPushService = false;

async function doSetUpPush(accounts: Account[]): Promise<void> {
  const first = initialStatus();
  if (first !== 'subscribing') return setStatus(first);
  if (noPushService) return setStatus('unavailable');
  if (accounts.length === 0) return setStatus('subscribing');
  try {
    let subscription = await currentPushSubscriptionJson();
    if (!subscription) {
      setStatus('subscribing');
      let publicKey: string;
      try {
        ({ publicKey } = await callRelay(`${accounts[0].relayUrl}/api/push/vapid-public-key`, { answer: vapidPublicKey }));
      } catch (error) {
        if (error instanceof RelayProblem && error.status === 404) return setStatus('relay-without-push');
        throw error;
      }
      const registration = await navigator.serviceWorker.ready;
      const created = await withTimeout(
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: applicationServerKey(publicKey) }),
        pushSubscribeTimeoutMs,
      );
      if (!created) noPushService = true;
      const parsed = created ? pushSubscriptionSchema.safeParse(created.toJSON()) : undefined;
      if (!parsed?.success) return setStatus('unavailable');
      subscription = parsed.data;
    }
    // A relay that found this phone's pushes no longer arrive (its daily health check went
    // unanswered) gets a fresh subscription: the old one is likely dead on the push service.
    const states = await Promise.all(
      devicesOf(accounts).map((device) =>
        callRelayAsDevice(device, '/api/device/registrations', { answer: deviceRegistrations }).then(
          (answer) => answer.pushState,
          () => undefined,
        ),
      ),
    );
    const unreachable = states.includes('unreachable');
    if (unreachable) {
      setStatus('unreachable');
      const fresh = await renewSubscription();
      if (!fresh) return setStatus('unreachable');
      subscription = fresh;
    }
    await sendSubscription(accounts, subscription, unreachable);
    setStatus('subscribed');
  } catch (error) {
    // Offline: try again later; otherwise the browser could not subscribe.
    setStatus(error instanceof RelayUnreachable ? 'subscribing' : 'unavailable');
  }
}

/** What the status means for the user, in plain words. */
export function pushStatusMessage(value: PushStatus): string {
  const whileOpen = 'Sign-in requests arrive only while Nod is open.';
  switch (value) {
    case 'subscribed':
      return 'Notifications are on: sign-in requests reach you even when Nod is closed.';
    case 'subscribing':
      return 'Setting up notifications…';
    case 'ask':
      return 'Allow notifications so that sign-in requests reach you even when Nod is closed.';
    case 'denied':
      return `Notifications are blocked for Nod. ${whileOpen} To get them any time, allow notifications for Nod in your browser's site settings.`;
    case 'ios-not-installed':
      return `On iPhone and iPad, add Nod to your Home Screen first (Share, then Add to Home Screen) and open it from there to get notifications. Until then, ${whileOpen.charAt(0).toLowerCase()}${whileOpen.slice(1)}`;
    case 'relay-without-push':
      return `Your organization's Nod service doesn't send notifications yet. ${whileOpen}`;
    case 'unavailable':
      return `Push notifications aren't available in this browser. ${whileOpen}`;
    case 'unreachable':
      return `Notifications aren't reaching this phone. Nod is setting them up again while it is open; if this stays, allow notifications for Nod again in your browser's settings. ${whileOpen}`;
  }
}
