import { z } from 'zod';
import { base64url, p256PublicJwk } from './common';
import { signInContext, signInRequestDetails } from './signInRequests';

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

/** Server-sent events on the phone's live channel (`GET /api/device/events`, device-signed). */
export const deviceEvent = z.discriminatedUnion('type', [
  /** A new request for an account on this device. */
  z.object({ type: z.literal('request'), request: signInRequestDetails }),
  /** A request was answered (here or on another device), expired or was superseded. */
  z.object({ type: z.literal('closed'), requestId: z.string(), status: z.string() }),
]);
export type DeviceEvent = z.infer<typeof deviceEvent>;

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
    context: signInContext,
  }),
  z.object({ type: z.literal('sign_in_request_closed'), requestId: z.string() }),
]);
export type PushPayload = z.infer<typeof pushPayload>;
