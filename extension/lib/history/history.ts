import { browser } from 'wxt/browser';
import { z } from 'zod';
import { type AccountUsed, type SignInResult, accountUsed, signInResult } from '../../../shared/schemas/extensionMessages';
import type { BrokeredSignIn } from '../signIn/brokeredSignIn';

const accountsKey = 'accounts';
const resultsKey = 'results';
const maxAccounts = 20;
const maxResults = 10;

/** Accounts used in this browser, newest first (storage.local: usernames only, no secrets). */
export async function loadAccounts(): Promise<AccountUsed[]> {
  const parsed = z.array(accountUsed).safeParse((await browser.storage.local.get(accountsKey))[accountsKey] ?? []);
  return parsed.success ? parsed.data : [];
}

export async function loadResults(): Promise<SignInResult[]> {
  const parsed = z.array(signInResult).safeParse((await browser.storage.local.get(resultsKey))[resultsKey] ?? []);
  return parsed.success ? parsed.data : [];
}

/** Remember how a sign-in ended; a successful one also remembers the account. */
export async function recordSignIn(record: BrokeredSignIn, at = new Date()): Promise<void> {
  const when = at.toISOString();
  const results = [
    { at: when, tenant: record.tenant, username: record.username, site: record.site, status: record.status },
    ...(await loadResults()),
  ].slice(0, maxResults);
  const update: Record<string, unknown> = { [resultsKey]: results };
  if (record.status === 'redeemed') {
    const others = (await loadAccounts()).filter((a) => !(a.tenant === record.tenant && a.username === record.username));
    update[accountsKey] = [
      {
        tenant: record.tenant,
        tenantDisplayName: record.tenantDisplayName,
        username: record.username,
        site: record.site,
        lastUsedAt: when,
      },
      ...others,
    ].slice(0, maxAccounts);
  }
  await browser.storage.local.set(update);
}

/** Forget a relay's accounts and results when the relay is removed. */
export async function forgetTenants(tenants: string[]): Promise<void> {
  const gone = new Set(tenants);
  await browser.storage.local.set({
    [accountsKey]: (await loadAccounts()).filter((a) => !gone.has(a.tenant)),
    [resultsKey]: (await loadResults()).filter((r) => !gone.has(r.tenant)),
  });
}
