import { z } from 'zod';
import { modes } from '../constants';

/** A tenant's short name, as it appears in URLs (`/t/contoso`). */
export const tenantName = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and inner hyphens only');

/** A username is unique within its tenant; compared in lower case. */
export const username = z
  .string()
  .trim()
  .min(1)
  .max(254)
  .regex(/^[^\s<>"'`]+$/, 'no spaces or quotes')
  .transform((s) => s.toLowerCase());

export const groupName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9 ._-]+$/, 'letters, digits, spaces, dots, dashes and underscores only');

export const displayName = z.string().trim().min(1).max(200);

/** The id of something the relay made (a device, registration, browser, pass, token: 12–22 base64url characters), in a path. */
export const recordId = z.string().min(1).max(64);

/** An origin as a browser reports it: scheme, host and port, nothing more. */
export const origin = z
  .string()
  .max(300)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
    } catch {
      return false;
    }
  }, 'an origin such as https://portal.contoso.example (scheme, host and port only)');

export const mode = z.enum(modes);

export const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/, 'base64url');

/** A P-256 public key as a JWK: the phone's or browser's device key. */
export const p256PublicJwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: base64url.length(43),
  y: base64url.length(43),
});
export type P256PublicJwk = z.infer<typeof p256PublicJwk>;

/** A WebAuthn registration response as @simplewebauthn/browser's startRegistration() returns it. */
export const registrationResponse = z.object({
  id: base64url.min(1).max(1024),
  rawId: base64url.min(1).max(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url.min(1),
    attestationObject: base64url.min(1),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

/** A WebAuthn assertion as @simplewebauthn/browser's startAuthentication() returns it. */
export const authenticationResponse = z.object({
  id: base64url.min(1).max(1024),
  rawId: base64url.min(1).max(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url.min(1),
    authenticatorData: base64url.min(1),
    signature: base64url.min(1),
    userHandle: base64url.optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

/** The answer of a call that answers nothing (204 No Content). */
export const noContent = z.undefined();

/** WebAuthn transports (AuthenticatorTransportFuture): how a client may reach a credential. */
export const authenticatorTransport = z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
export type AuthenticatorTransportName = z.infer<typeof authenticatorTransport>;
