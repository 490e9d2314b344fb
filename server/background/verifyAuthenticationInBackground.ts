/**
 * @simplewebauthn/server's verifyAuthenticationResponse on a worker thread. It hands its hashing
 * and signature check to WebCrypto already, but the rest runs on the calling thread: parsing the
 * client data, the authenticator data and the COSE key, and importing that key (a JWK import with
 * its point check, ~140 µs) for every assertion, the library keeping no imported key. On the event
 * loop that was the largest share of a sign-in's crypto; here the loop only posts the assertion.
 * The library runs unchanged, with the same options; its errors reject with the same message.
 */
import { createRequire } from 'node:module';
import type { VerifiedAuthenticationResponse, VerifyAuthenticationResponseOpts } from '@simplewebauthn/server';
import { workerCalls } from './workerCalls';

/** The options as the library takes them, but for a challenge given as it is (a function cannot be posted to the worker). */
export type AuthenticationCheck = VerifyAuthenticationResponseOpts & { expectedChallenge: string };

export const verifyAuthenticationInBackground = workerCalls<AuthenticationCheck, VerifiedAuthenticationResponse>(
  'WebAuthn assertion',
  `
const { verifyAuthenticationResponse } = require(workerData.library);
function handle(options) {
  return verifyAuthenticationResponse(options);
}
`,
  { library: createRequire(import.meta.url).resolve('@simplewebauthn/server') },
);
