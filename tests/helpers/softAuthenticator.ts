/**
 * A software WebAuthn platform authenticator for tests: real P-256 keys (node:crypto), real
 * ES256 signatures, real CBOR. `register()` and `authenticate()` return exactly what
 * @simplewebauthn/browser's startRegistration() / startAuthentication() return, so a test can
 * post them to the relay as the PWA would.
 *
 * Also `createDeviceKey()`: the PWA's / extension's non-extractable WebCrypto device key.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey as NodeJsonWebKey,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { type CborMap, encodeCbor } from './cbor';

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;
const COSE_ALG_ES256 = -7;

export interface SoftCredentialState {
  /** Credential id, base64url. */
  id: string;
  rpId: string;
  /** options.user.id from registration (base64url), returned as userHandle. */
  userHandle: string;
  counter: number;
  /** The private key as a JWK (kty EC, crv P-256, with d). */
  privateKey: NodeJsonWebKey;
}

export interface SoftAuthenticatorState {
  credentials: SoftCredentialState[];
}

export interface SoftAuthenticatorOptions {
  /** The origin the "browser" reports in clientDataJSON, e.g. `https://127.0.0.1:4443`. */
  origin: string;
  /** Overrides the RP ID hashed into authenticatorData (default: the options' RP ID). */
  rpId?: string;
  /** State from a previous `toJSON()`, to keep credentials across a relay restart. */
  state?: SoftAuthenticatorState;
}

export interface RegisterOptions {
  /** Sets the UV flag (default true). */
  userVerified?: boolean;
  /** clientDataJSON.crossOrigin (default false). */
  crossOrigin?: boolean;
  /** Report this origin in clientDataJSON instead of the authenticator's one. */
  originOverride?: string;
}

export interface AuthenticateRequest {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export interface AuthenticateOptions {
  /** Sets the UV flag (default true). */
  userVerified?: boolean;
  /** Use this credential (base64url id) regardless of allowCredentials. */
  credentialId?: string;
  /**
   * Put this sign count in authenticatorData instead of the next counter value (to test
   * counter regressions). The stored counter only moves up: it becomes max(stored, signCount).
   */
  signCount?: number;
  /** clientDataJSON.crossOrigin (default false). */
  crossOrigin?: boolean;
  /** Report this origin in clientDataJSON instead of the authenticator's one. */
  originOverride?: string;
}

export interface SoftAuthenticator {
  readonly origin: string;
  register(options: PublicKeyCredentialCreationOptionsJSON, opts?: RegisterOptions): Promise<RegistrationResponseJSON>;
  authenticate(request: AuthenticateRequest, opts?: AuthenticateOptions): Promise<AuthenticationResponseJSON>;
  /** Ids (base64url) of the credentials it holds, in creation order. */
  credentials(): string[];
  /** The stored sign counter of a credential. */
  counter(credentialId: string): number;
  toJSON(): SoftAuthenticatorState;
}

interface Credential {
  id: string;
  rpId: string;
  userHandle: string;
  counter: number;
  key: KeyObject;
}

class DomException extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

function clientDataJSON(type: string, challenge: string, origin: string, crossOrigin: boolean): Buffer {
  // Same member order as browsers serialise CollectedClientData.
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin }), 'utf8');
}

function authenticatorData(rpId: string, flags: number, signCount: number, attested?: Uint8Array): Buffer {
  const fixed = Buffer.alloc(37);
  sha256(rpId).copy(fixed, 0);
  fixed[32] = flags;
  fixed.writeUInt32BE(signCount >>> 0, 33);
  return attested ? Buffer.concat([fixed, attested]) : fixed;
}

function coseEc2PublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  const cose: CborMap = new Map<number, number | Uint8Array>([
    [1, 2], // kty: EC2
    [3, COSE_ALG_ES256], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, Buffer.from(jwk.x!, 'base64url')],
    [-3, Buffer.from(jwk.y!, 'base64url')],
  ]);
  return encodeCbor(cose);
}

export function createSoftAuthenticator(options: SoftAuthenticatorOptions): SoftAuthenticator {
  const store = new Map<string, Credential>();
  for (const saved of options.state?.credentials ?? []) {
    store.set(saved.id, {
      id: saved.id,
      rpId: saved.rpId,
      userHandle: saved.userHandle,
      counter: saved.counter,
      key: createPrivateKey({ key: saved.privateKey, format: 'jwk' }),
    });
  }

  function pick(request: AuthenticateRequest, opts: AuthenticateOptions): Credential {
    if (opts.credentialId !== undefined) {
      const chosen = store.get(opts.credentialId);
      if (!chosen) throw new DomException('NotAllowedError', `no credential ${opts.credentialId}`);
      return chosen;
    }
    if (request.allowCredentials?.length) {
      for (const allowed of request.allowCredentials) {
        const chosen = store.get(allowed.id);
        if (chosen) return chosen;
      }
      throw new DomException('NotAllowedError', 'none of allowCredentials is held by this authenticator');
    }
    const candidates = [...store.values()].filter((c) => request.rpId === undefined || c.rpId === request.rpId);
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0) throw new DomException('NotAllowedError', 'no credential for this RP');
    throw new Error('several discoverable credentials: pass opts.credentialId to choose one');
  }

  return {
    origin: options.origin,

    async register(creation, opts = {}) {
      if (!creation.pubKeyCredParams.some((p) => p.type === 'public-key' && p.alg === COSE_ALG_ES256)) {
        throw new DomException('NotSupportedError', 'the RP does not accept ES256');
      }
      if (creation.excludeCredentials?.some((c) => store.has(c.id))) {
        throw new DomException('InvalidStateError', 'the authenticator already holds an excluded credential');
      }
      const rpId = options.rpId ?? creation.rp.id ?? new URL(options.origin).hostname;
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const rawId = randomBytes(32);
      const credential: Credential = {
        id: b64u(rawId),
        rpId,
        userHandle: creation.user.id,
        counter: 0,
        key: privateKey,
      };

      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(rawId.length);
      const cosePublicKey = coseEc2PublicKey(privateKey);
      const attested = Buffer.concat([Buffer.alloc(16) /* AAGUID */, idLength, rawId, cosePublicKey]);
      const flags = FLAG_UP | (opts.userVerified === false ? 0 : FLAG_UV) | FLAG_AT;
      const authData = authenticatorData(rpId, flags, 0, attested);
      const attestationObject = encodeCbor(
        new Map<string, string | CborMap | Uint8Array>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData],
        ]),
      );
      const clientData = clientDataJSON(
        'webauthn.create',
        creation.challenge,
        opts.originOverride ?? options.origin,
        opts.crossOrigin ?? false,
      );
      // What AuthenticatorAttestationResponse.getPublicKey() gives: SubjectPublicKeyInfo DER.
      const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });

      store.set(credential.id, credential);
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: b64u(clientData),
          attestationObject: b64u(attestationObject),
          transports: ['internal'],
          publicKeyAlgorithm: COSE_ALG_ES256,
          publicKey: b64u(spki),
          authenticatorData: b64u(authData),
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },

    async authenticate(request, opts = {}) {
      const credential = pick(request, opts);
      let signCount: number;
      if (opts.signCount !== undefined) {
        signCount = opts.signCount;
        credential.counter = Math.max(credential.counter, signCount);
      } else {
        credential.counter += 1;
        signCount = credential.counter;
      }
      const rpId = options.rpId ?? request.rpId ?? credential.rpId;
      const flags = FLAG_UP | (opts.userVerified === false ? 0 : FLAG_UV);
      const authData = authenticatorData(rpId, flags, signCount);
      const clientData = clientDataJSON(
        'webauthn.get',
        request.challenge,
        opts.originOverride ?? options.origin,
        opts.crossOrigin ?? false,
      );
      // WebAuthn assertion signature: ECDSA over authenticatorData ‖ SHA-256(clientDataJSON), DER-encoded.
      const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), {
        key: credential.key,
        dsaEncoding: 'der',
      });
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: b64u(clientData),
          authenticatorData: b64u(authData),
          signature: b64u(signature),
          userHandle: credential.userHandle,
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },

    credentials() {
      return [...store.keys()];
    },

    counter(credentialId) {
      const credential = store.get(credentialId);
      if (!credential) throw new Error(`no credential ${credentialId}`);
      return credential.counter;
    },

    toJSON() {
      return {
        credentials: [...store.values()].map((c) => ({
          id: c.id,
          rpId: c.rpId,
          userHandle: c.userHandle,
          counter: c.counter,
          privateKey: c.key.export({ format: 'jwk' }),
        })),
      };
    },
  };
}

export interface DeviceKey {
  /** Non-extractable ECDSA P-256 key, as the PWA keeps in IndexedDB. */
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** What the PWA registers with the relay. */
  publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
}

/**
 * A device key made the way a browser makes it (WebCrypto, non-extractable private key).
 * Sign with shared/deviceSignature's `signWithDeviceKey` / `deviceAuthorizationHeader`.
 */
export async function createDeviceKey(): Promise<DeviceKey> {
  const pair = await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const jwk = await globalThis.crypto.subtle.exportKey('jwk', pair.publicKey);
  if (!jwk.x || !jwk.y) throw new Error('WebCrypto exported a public JWK without coordinates');
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } };
}
