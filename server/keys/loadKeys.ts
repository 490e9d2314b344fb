import fs from 'node:fs';
import path from 'node:path';
import { type JWK, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import webpush from 'web-push';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface SigningKey {
  /** Private ES256 JWK with `kid`, `alg` and `use`. */
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface RelayKeys {
  vapid: VapidKeys;
  signing: SigningKey[];
}

/** Read a JSON key file, or create it with mode 0600 the first time. */
async function keyFile<T>(file: string, create: () => Promise<T>): Promise<T> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = await create();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // 'wx' so two processes starting at once never overwrite each other's keys.
  try {
    fs.writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    throw error;
  }
  return value;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
  };
}

/** The VAPID key pair and the token-signing keys: made on first start, reused after. */
export async function loadKeys(dataDir: string): Promise<RelayKeys> {
  const dir = path.join(dataDir, 'keys');
  const vapid = await keyFile<VapidKeys>(path.join(dir, 'vapid.json'), async () => webpush.generateVAPIDKeys());
  const signing = await keyFile<SigningKey[]>(path.join(dir, 'signing.json'), async () => [await newSigningKey()]);
  return { vapid, signing };
}
