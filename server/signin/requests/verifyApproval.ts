import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { createHash } from 'node:crypto';
import { fromBase64Url } from '../../../shared/base64url';
import { authenticatorTransport } from '../../../shared/schemas/common';
import { verifyAuthenticationInBackground } from '../../background/verifyAuthenticationInBackground';
import type { RelayContext } from '../../context';
import type { Registration } from '../../storage/model';

/** shared/approvalChallenge's challenges (SHA-256 of a canonical encoding), hashed with node:crypto (no thread-pool round trip). */
export function challengeOf(canonical: Uint8Array): string {
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Verify a phone's passkey assertion over a challenge the relay computed itself (an approval, or a
 * browser trust), from this registration's credential; a string says privately which check failed.
 */
export async function verifyApproval(
  ctx: RelayContext,
  registration: Registration,
  assertion: AuthenticationResponseJSON | undefined,
  expectedChallenge: string,
  requireUserVerification: boolean,
): Promise<string | { newCounter: number }> {
  if (!assertion) return 'no assertion';
  if (assertion.id !== registration.credentialId) return 'assertion from another credential';
  try {
    const result = await verifyAuthenticationInBackground({
      response: assertion,
      expectedChallenge,
      expectedOrigin: ctx.config.publicUrl,
      expectedRPID: ctx.config.rpId,
      credential: {
        id: registration.credentialId,
        publicKey: fromBase64Url(registration.credentialPublicKey) as Uint8Array<ArrayBuffer>,
        counter: registration.signCount,
        // Stored as the browser reported them; one this library does not know is left out.
        transports: registration.transports.flatMap((t) => {
          const known = authenticatorTransport.safeParse(t);
          return known.success ? [known.data] : [];
        }),
      },
      requireUserVerification,
    });
    if (!result.verified) return 'assertion signature invalid';
    return { newCounter: result.authenticationInfo.newCounter };
  } catch (error) {
    return `assertion rejected: ${(error as Error).message}`;
  }
}
