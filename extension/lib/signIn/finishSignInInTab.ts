import { redeemApproval } from './redeemApproval';
import type { SignInRecords } from './signInRecords';

export interface FinishInTabDeps {
  records: SignInRecords;
  fetch: typeof fetch;
  /** Hand the one-time grant to the tab's page on `site`; false when no such page is connected right now. */
  deliverGrant: (tabId: number, grant: string, requestId: string, site: string) => boolean;
}

/**
 * The request was approved: redeem it for the one-time grant and hand that to the tab's page, which
 * finishes the sign-in with it. A page that is away (reloading) gets the grant when it connects again.
 * Once per request, however many times the approval is heard.
 */
export function finishSignInInTab(tabId: number, deps: FinishInTabDeps): Promise<void> {
  const { records } = deps;
  return records.locked(tabId, async () => {
    const record = await records.get(tabId);
    if (record?.status !== 'approved' || !record.collectorSecret || !record.requestId) return;
    const redeemed = await redeemApproval(record, deps.fetch);
    if (redeemed.failure !== undefined) {
      await records.finishHeld(tabId, { status: 'failed', message: redeemed.failure });
      return;
    }
    const delivered = deps.deliverGrant(tabId, redeemed.grant, record.requestId, record.site);
    await records.finishHeld(tabId, {
      status: 'redeemed',
      message: 'Approved. Signing you in…',
      ...(delivered ? {} : { undeliveredGrant: redeemed.grant }),
    });
  });
}
