/** Types for the parts of http_ece (the RFC 8188 reference implementation) the tests use. */
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';

  interface EceParams {
    version?: 'aes128gcm' | 'aesgcm' | 'aesgcm128';
    /** Receiver's (decrypt) or sender's (encrypt) ECDH key. */
    privateKey?: ECDH;
    /** The other side's public key; for aes128gcm decryption it comes from the header's keyid. */
    dh?: Buffer | string;
    /** Web Push auth secret (16 bytes), Buffer or base64url. */
    authSecret?: Buffer | string;
    key?: Buffer | string;
    keyid?: Buffer | string;
    salt?: Buffer | string;
    rs?: number;
  }

  const ece: {
    decrypt(buffer: Buffer, params: EceParams): Buffer;
    encrypt(buffer: Buffer, params: EceParams): Buffer;
  };
  export = ece;
}
