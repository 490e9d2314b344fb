import { z } from 'zod';
import { displayName } from './common';

/** A redirect URI: https anywhere, http only on loopback (a developer's machine). */
const redirectUri = z
  .string()
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value);
      if (url.hash) return false;
      if (url.protocol === 'https:') return true;
      return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    } catch {
      return false;
    }
  }, 'an https URL without a fragment (http only for localhost)');

/**
 * Admin: register an OpenID Connect client (relying party) of the tenant
 * (`POST /admin/t/:tenant/clients`). The display name is what the phone shows as the application.
 */
export const oidcClientCreate = z.object({
  /** Chosen by the admin, or made by the relay when absent. */
  clientId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,100}$/, '3 to 100 letters, digits, dots, dashes or underscores')
    .optional(),
  displayName,
  redirectUris: z.array(redirectUri).min(1).max(20),
  postLogoutRedirectUris: z.array(redirectUri).max(20).default([]),
  /**
   * `confidential`: a server-side site that authenticates with a client secret (shown once).
   * `public`: a browser or native app without a secret; PKCE protects its code.
   */
  type: z.enum(['confidential', 'public']).default('confidential'),
});
export type OidcClientCreate = z.input<typeof oidcClientCreate>;

/** What the admin API shows of a client; the secret only in the answer that created it. */
export const oidcClientView = z.object({
  clientId: z.string(),
  displayName: z.string(),
  type: z.enum(['confidential', 'public']),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  /** The tenant's issuer: what the client's OpenID Connect library is configured with. */
  issuer: z.string(),
  createdAt: z.string(),
  /** Only when the client was just created (confidential clients): shown this once. */
  clientSecret: z.string().optional(),
});
export type OidcClientView = z.infer<typeof oidcClientView>;

/** Admin: `GET /admin/t/:tenant/clients` */
export const oidcClientList = z.object({ clients: z.array(oidcClientView) });

/** Admin: change a client (`PATCH /admin/t/:tenant/clients/:id`): its name and where it may send people back to. */
export const oidcClientUpdate = z
  .object({
    displayName: displayName.optional(),
    redirectUris: z.array(redirectUri).min(1).max(20).optional(),
    postLogoutRedirectUris: z.array(redirectUri).max(20).optional(),
  })
  .strict();
export type OidcClientUpdate = z.input<typeof oidcClientUpdate>;
