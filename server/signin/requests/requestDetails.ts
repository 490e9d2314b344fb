import type { SignInRequestDetails } from '../../../shared/schemas/signInRequests';
import type { RelayContext } from '../../context';
import type { Registration, SignInRequest, Tenant } from '../../storage/model';

/** A request as one phone account sees it: context, nonce and WebAuthn parameters — never the number. */
export function requestDetails(
  ctx: RelayContext,
  tenant: Tenant,
  request: SignInRequest,
  registration: Registration,
): SignInRequestDetails {
  return {
    requestId: request.id,
    registrationId: registration.id,
    tenant: tenant.name,
    tenantDisplayName: tenant.displayName,
    username: request.username,
    kind: request.kind,
    nonce: request.nonce,
    expiresAt: new Date(request.expiresAt).toISOString(),
    context: request.context,
    webauthn: {
      rpId: ctx.config.rpId,
      allowCredentials: [{ id: registration.credentialId, type: 'public-key' }],
      userVerification: request.kind === 'passwordless' ? 'required' : 'preferred',
      timeout: Math.max(1000, request.expiresAt - ctx.now()),
    },
  };
}
