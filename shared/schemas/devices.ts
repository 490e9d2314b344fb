import { z } from 'zod';
import { base64url, p256PublicJwk } from './common';
import { signInDescription, signInRequestDetails } from './signInRequests';

/** A Web Push subscription as PushSubscription.toJSON() gives it. */
export const pushSubscription = z.object({
  endpoint: z
    .string()
    .max(2000)
    .refine((value) => {
      try {
        return new URL(value).protocol === 'https:';
      } catch {
        return false;
      }
    }, 'an https URL'),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: base64url.min(80).max(100),
    auth: base64url.min(16).max(32),
  }),
});
export type PushSubscriptionJson = z.infer<typeof pushSubscription>;

/** Phone: replace (or clear, with null) the push subscription of its device. */
export const pushSubscriptionSet = z.object({ subscription: pushSubscription.nullable() });
export type PushSubscriptionSet = z.infer<typeof pushSubscriptionSet>;

/** Phone: enable or disable phone sign-in for one account. */
export const phoneSignInSet = z.object({ enabled: z.boolean() });
export type PhoneSignInSet = z.infer<typeof phoneSignInSet>;

/** Extension: register this browser's key with a tenant (`POST /api/t/:tenant/browsers`). */
export const browserRegister = z.object({
  publicKey: p256PublicJwk,
  name: z.string().trim().min(1).max(100).default('Browser'),
});
export type BrowserRegister = z.input<typeof browserRegister>;

/** A new request for an account on this device. */
export const deviceRequestEvent = z.object({ type: z.literal('request'), request: signInRequestDetails });

/** A request was answered (here or on another device), expired, was cancelled or superseded. */
export const deviceClosedEvent = z.object({ type: z.literal('closed'), requestId: z.string(), status: z.string() });

/**
 * What the phone shows of its accounts changed at the relay (a method removed, the account
 * disabled or at risk, the policy saved, a browser trusted or removed): read
 * `GET /api/device/accounts` again. It says nothing more: the phone shows only what it reads.
 */
export const deviceAccountsEvent = z.object({ type: z.literal('accounts') });

export const deviceEvent = z.discriminatedUnion('type', [deviceRequestEvent, deviceClosedEvent, deviceAccountsEvent]);
export type DeviceEvent = z.infer<typeof deviceEvent>;

/** Server-sent events on the phone's live channel (`GET /api/device/events`, device-signed), by event name. */
export const deviceEvents = { request: deviceRequestEvent, closed: deviceClosedEvent, accounts: deviceAccountsEvent } as const;

/**
 * What a push carries (encrypted, RFC 8291): an opaque request id and display context only.
 * The phone fetches the details over HTTPS. Never the number.
 */
export const pushPayload = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('sign_in_request'),
    requestId: z.string(),
    registrationId: z.string(),
    tenant: z.string(),
    kind: z.enum(['passwordless', 'mfa']),
    expiresAt: z.string(),
    context: signInDescription,
  }),
  z.object({ type: z.literal('sign_in_request_closed'), requestId: z.string() }),
  /**
   * The daily check that the device's push still works: the service worker answers it
   * (`POST /api/device/push/received`, device-signed) and shows a quiet notice.
   */
  z.object({ type: z.literal('push_health_check'), deviceId: z.string() }),
]);
export type PushPayload = z.infer<typeof pushPayload>;

// ---- answers ----------------------------------------------------------------------------------

const pushState = z.enum(['none', 'subscribed', 'unreachable']);

/** Phone: its device and the accounts on it (`GET /api/device/registrations`, device-signed). */
export const deviceRegistrations = z.object({
  deviceId: z.string(),
  pushState,
  registrations: z.array(z.object({ id: z.string(), phoneSignInEnabled: z.boolean(), credentialId: z.string() })),
});

/** Phone: `PUT /api/device/push` */
export const pushSubscriptionSaved = z.object({ pushState: z.enum(['subscribed', 'none']) });

/** Phone: `PUT /api/registrations/:id/phone-sign-in` */
export const phoneSignInSaved = z.object({ phoneSignInEnabled: z.boolean() });

/** `GET /api/push/vapid-public-key`: the relay's VAPID key (RFC 8292), for PushManager.subscribe(). */
export const vapidPublicKey = z.object({ publicKey: base64url.min(1) });

/** Extension: `POST /api/t/:tenant/browsers` */
export const browserRegistered = z.object({
  deviceId: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/),
  tenant: z.string(),
});

/** Extension: `POST /api/t/:tenant/browsers/self/users` (device-signed): this browser is now registered for the user. */
export const browserUserRegistered = z.object({ deviceId: z.string(), username: z.string(), registered: z.literal(true) });

/** A browser (the Nod extension) registered for a user: what My Sign-ins, the phone and the admin list. */
export const registeredBrowserView = z.object({
  id: z.string(),
  /** The name the extension registered with ("Chrome on Linux"), sanitised. */
  name: z.string(),
  registeredAt: z.string(),
  lastSeenAt: z.string().nullable(),
});
export type RegisteredBrowserView = z.infer<typeof registeredBrowserView>;

/** The browsers registered for one user (`GET …/browsers`). */
export const registeredBrowserList = z.object({ browsers: z.array(registeredBrowserView) });
export type RegisteredBrowserList = z.infer<typeof registeredBrowserList>;

/** Admin: one registration of the Authenticator app (an account on a device). Never keys or secrets. */
export const registrationView = z.object({
  id: z.string(),
  deviceId: z.string(),
  deviceName: z.string().nullable(),
  pushState: pushState.nullable(),
  credentialId: z.string(),
  phoneSignInEnabled: z.boolean(),
  backupEligible: z.boolean(),
  backupState: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  /** When a push last reached the device (a sign-in request's receipt or the daily health check). */
  lastReceiptAt: z.string().nullable(),
});
export type RegistrationView = z.infer<typeof registrationView>;

/** Admin: `GET /admin/t/:tenant/users/:username/registrations` */
export const registrationList = z.object({ registrations: z.array(registrationView) });

/** Admin: one phone or browser of a user, with the user's registrations on it (none for a browser). */
export const userDeviceView = z.object({
  id: z.string(),
  kind: z.enum(['phone', 'browser']),
  name: z.string(),
  pushState,
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  registrations: z.array(registrationView),
});
export type UserDeviceView = z.infer<typeof userDeviceView>;

/** Admin: `GET /admin/t/:tenant/users/:username/devices` */
export const userDeviceList = z.object({ devices: z.array(userDeviceView) });
