import { type DBSchema, openDB } from 'idb';
import { type P256PublicJwk, p256PublicJwk } from '../../../shared/schemas/common';

/** This browser's own device key: one per extension installation, kept in IndexedDB. */
export interface BrowserKey {
  /** Non-extractable: it can sign, but no script (ours included) can read it out. */
  privateKey: CryptoKey;
  publicJwk: P256PublicJwk;
  createdAt: string;
}

interface KeyStore extends DBSchema {
  keys: { key: string; value: BrowserKey };
}

const keyName = 'browser';

function openKeyStore() {
  return openDB<KeyStore>('nod-extension', 1, {
    upgrade(db) {
      db.createObjectStore('keys');
    },
  });
}

/** The existing browser key, if one was made. */
export async function loadBrowserKey(): Promise<BrowserKey | undefined> {
  const db = await openKeyStore();
  try {
    return await db.get('keys', keyName);
  } finally {
    db.close();
  }
}

/**
 * The browser key, made on first use: a P-256 ECDSA key pair whose private half is non-extractable.
 * IndexedDB stores the CryptoKey object itself (structured clone), never its bytes.
 */
export async function getOrCreateBrowserKey(): Promise<BrowserKey> {
  const existing = await loadBrowserKey();
  if (existing) return existing;
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const key: BrowserKey = {
    privateKey: pair.privateKey,
    publicJwk: p256PublicJwk.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }),
    createdAt: new Date().toISOString(),
  };
  const db = await openKeyStore();
  try {
    // `add` fails if another context made a key meanwhile: then that one wins.
    await db.add('keys', key, keyName);
    return key;
  } catch {
    return (await db.get('keys', keyName)) ?? key;
  } finally {
    db.close();
  }
}
