/**
 * "Trust this browser for future sign-ins?": after approving a sign-in a Nod browser extension brokered,
 * the person may register that browser for the account. The passkey runs with user verification over
 * the canonical trust (shared/approvalChallenge), and the device key signs the same bytes.
 */
import { startAuthentication } from '@simplewebauthn/browser';
import { browserTrustChallenge, canonicalBrowserTrust } from '../../../shared/approvalChallenge';
import { signWithDeviceKey } from '../../../shared/deviceSignature';
import { callRelay } from '../../../shared/relay/callRelay';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { type BrowserTrust, type SignInRequestDetails, browserTrusted } from '../../../shared/schemas/signInRequests';
import type { Account } from '../store/accountStore';

export type TrustOutcome = { kind: 'trusted'; name: string } | { kind: 'not_verified' | 'offline' | 'refused'; detail?: string };

export async function trustBrowser(account: Account, details: SignInRequestDetails): Promise<TrustOutcome> {
  const browserId = details.context.signedBy?.id;
  if (!browserId) return { kind: 'refused', detail: 'No browser signed this sign-in.' };
  const binding = { requestId: details.requestId, nonce: details.nonce, browserId };
  let assertion: BrowserTrust['assertion'];
  try {
    const response = await startAuthentication({
      optionsJSON: {
        challenge: await browserTrustChallenge(binding),
        rpId: details.webauthn.rpId,
        allowCredentials: details.webauthn.allowCredentials,
        userVerification: 'required',
        timeout: details.webauthn.timeout,
      },
    });
    assertion = { ...response, clientExtensionResults: { ...response.clientExtensionResults } };
  } catch (error) {
    return { kind: 'not_verified', detail: (error as Error).name };
  }
  try {
    const trusted = await callRelay(`${account.relayUrl}/api/sign-in-requests/${encodeURIComponent(details.requestId)}/trust-browser`, {
      body: {
        registrationId: account.registrationId,
        assertion,
        deviceSignature: await signWithDeviceKey(account.deviceKey, canonicalBrowserTrust(binding)),
      } satisfies BrowserTrust,
      answer: browserTrusted,
    });
    return { kind: 'trusted', name: trusted.name };
  } catch (error) {
    if (error instanceof RelayUnreachable) return { kind: 'offline' };
    if (error instanceof RelayProblem) return { kind: 'refused', detail: error.detail };
    throw error;
  }
}
