import { createHash, randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import { z } from 'zod';

/** The state and PKCE verifier of a sign-in a relay page started, kept sealed in a cookie until its callback. */
export interface PendingBuiltInSignIn {
  state: string;
  verifier: string;
}

/** A built-in client's callback: a code and our state, or an error (anything else is ignored). */
export const builtInCallbackQuery = z.object({
  state: z.string().optional().catch(undefined),
  code: z.string().optional().catch(undefined),
  error: z.string().optional().catch(undefined),
});

/**
 * The metadata of a relay page's built-in client (My Sign-ins, the admin center): public, PKCE,
 * authorization code only, back to the relay's own page.
 */
export function builtInClient(options: { clientId: string; name: string; redirectUri: string; postLogoutRedirectUri: string }) {
  return {
    client_id: options.clientId,
    client_name: options.name,
    application_type: 'web' as const,
    redirect_uris: [options.redirectUri],
    post_logout_redirect_uris: [options.postLogoutRedirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none' as const,
    id_token_signed_response_alg: 'ES256',
  };
}

/**
 * Start a sign-in with a built-in client at the tenant's provider: a fresh state and PKCE verifier
 * (kept by the caller in a sealed cookie) and where to send the browser.
 */
export function startBuiltInSignIn(options: {
  issuer: string;
  clientId: string;
  redirectUri: string;
  /** `prompt=login`: a new sign-in, whatever the session. */
  fresh: boolean;
  loginHint?: string;
}): { pending: PendingBuiltInSignIn; url: string } {
  const pending = { state: randomBytes(16).toString('base64url'), verifier: randomBytes(32).toString('base64url') };
  const query = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: options.redirectUri,
    state: pending.state,
    code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.fresh ? { prompt: 'login' } : {}),
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
  });
  return { pending, url: `${options.issuer}/auth?${query}` };
}

/**
 * The code came back to the relay's own page: use it up (it is ours alone) once it is known to be
 * made for this client with our PKCE and not used before. Undefined when it is not.
 */
export async function redeemBuiltInSignIn(
  provider: Provider,
  clientId: string,
  pending: PendingBuiltInSignIn,
  code: string,
): Promise<InstanceType<Provider['AuthorizationCode']> | undefined> {
  const found = await provider.AuthorizationCode.find(code);
  const challenge = createHash('sha256').update(pending.verifier).digest('base64url');
  if (!found || found.clientId !== clientId || found.codeChallenge !== challenge || (found as { consumed?: unknown }).consumed) {
    return undefined;
  }
  await found.consume();
  return found;
}
