import { browser } from 'wxt/browser';
import { toBase64Url } from '../../../shared/base64url';

const key = 'collectorKey';

/**
 * This browser's `Nod-Collector-Key`: random, made once, kept in the background's storage. The relay
 * lets a new request from the same key supersede an older pending one (journey 7).
 */
export async function collectorKey(): Promise<string> {
  const stored = (await browser.storage.local.get(key))[key];
  if (typeof stored === 'string' && /^[A-Za-z0-9_-]{43}$/.test(stored)) return stored;
  const made = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  await browser.storage.local.set({ [key]: made });
  return made;
}
