/**
 * The phone's accounts, kept in IndexedDB (idb) and mirrored in memory for the screens.
 * Each account holds its tenant's device key as a non-extractable CryptoKey object: IndexedDB
 * stores the key itself, so it never exists as bytes the app (or a script) could read.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { P256PublicJwk } from '../../../shared/schemas/common';

export interface Account {
  /** The relay's id for this account on this phone; also the key in IndexedDB. */
  registrationId: string;
  /** The relay's origin (the app is served by it, so this is where the app came from). */
  relayUrl: string;
  tenant: string;
  tenantDisplayName: string;
  username: string;
  displayName: string;
  /** The user's own name for the account on this phone (Rename). */
  label?: string;
  /** The relay's id for this phone in this tenant: one per tenant, shared by its accounts. */
  deviceId: string;
  credentialId: string;
  /** The private half of the tenant's device key: non-extractable, signs every call and approval. */
  deviceKey: CryptoKey;
  devicePublicJwk: P256PublicJwk;
  /** Base32 secret of the offline verification codes (RFC 6238). */
  totpSecret: string;
  phoneSignInEnabled: boolean;
  /** What the relay knows: whether it can push to this phone for this tenant. */
  pushState: 'subscribed' | 'none';
  /** The push endpoint the relay was last given, to notice a changed subscription. */
  pushEndpoint?: string;
  addedAt: number;
}

interface NodDb extends DBSchema {
  accounts: { key: string; value: Account };
}

let dbPromise: Promise<IDBPDatabase<NodDb>> | undefined;

function db(): Promise<IDBPDatabase<NodDb>> {
  dbPromise ??= openDB<NodDb>('nod', 1, {
    upgrade(database) {
      database.createObjectStore('accounts', { keyPath: 'registrationId' });
    },
  });
  return dbPromise;
}

let accounts: Account[] | undefined;
const listeners = new Set<() => void>();

function publish(next: Account[]): void {
  accounts = [...next].sort((a, b) => a.tenantDisplayName.localeCompare(b.tenantDisplayName) || a.username.localeCompare(b.username));
  for (const listener of listeners) listener();
}

/** The accounts as last loaded (undefined until the first load). */
export function currentAccounts(): Account[] | undefined {
  return accounts;
}

export function subscribeAccounts(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function loadAccounts(): Promise<Account[]> {
  publish(await (await db()).getAll('accounts'));
  return accounts!;
}

export async function saveAccount(account: Account): Promise<void> {
  await (await db()).put('accounts', account);
  await loadAccounts();
}

export async function updateAccount(
  registrationId: string,
  change: Partial<Omit<Account, 'registrationId'>>,
): Promise<Account | undefined> {
  const database = await db();
  const tx = database.transaction('accounts', 'readwrite');
  const existing = await tx.store.get(registrationId);
  if (existing) await tx.store.put({ ...existing, ...change });
  await tx.done;
  await loadAccounts();
  return existing && { ...existing, ...change };
}

export async function forgetAccount(registrationId: string): Promise<void> {
  await (await db()).delete('accounts', registrationId);
  await loadAccounts();
}

/** The phone's device in one tenant: what signs calls for all of that tenant's accounts. */
export interface Device {
  relayUrl: string;
  tenant: string;
  deviceId: string;
  deviceKey: CryptoKey;
  registrationIds: string[];
}

/** One entry per tenant registration of this phone (accounts of a tenant share their device). */
export function devicesOf(list: Account[]): Device[] {
  const byDevice = new Map<string, Device>();
  for (const account of list) {
    const key = `${account.relayUrl} ${account.deviceId}`;
    const device = byDevice.get(key);
    if (device) device.registrationIds.push(account.registrationId);
    else
      byDevice.set(key, {
        relayUrl: account.relayUrl,
        tenant: account.tenant,
        deviceId: account.deviceId,
        deviceKey: account.deviceKey,
        registrationIds: [account.registrationId],
      });
  }
  return [...byDevice.values()];
}

/** The name the account goes by on this phone. */
export function accountName(account: Account): string {
  return account.label?.trim() || account.displayName || account.username;
}
