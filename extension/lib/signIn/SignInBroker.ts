import type { SignInView } from '../../../shared/schemas/extensionMessages';
import { type BrokeredSignIn, type SignInStore, finalStatuses, viewOf } from './brokeredSignIn';
import { cancelAtRelay } from './cancelAtRelay';
import { type CreateRequestDeps, createBrokeredRequest } from './createBrokeredRequest';
import { finishSignInInTab } from './finishSignInInTab';
import { SignInFollowers } from './followSignIn';
import { SignInRecords } from './signInRecords';

export type { BrowserSigner } from './createBrokeredRequest';

export interface SignInBrokerDeps extends CreateRequestDeps {
  store: SignInStore;
  /** A sign-in changed: update the tab's panel, the badge and the popup. Null: it is gone. */
  onView: (tabId: number, view: SignInView | null) => void;
  /** Hand the one-time grant to the tab's page on `site`; false when no such page is connected right now. */
  deliverGrant: (tabId: number, grant: string, requestId: string, site: string) => boolean;
  /** A sign-in ended: notify, remember the result (and the account when it succeeded). */
  onFinished: (record: BrokeredSignIn) => void;
  /** How long to wait before following the events again after the stream broke. */
  reconnectDelayMs?: number;
  /** How long past the expiry to wait for the relay's own `expired` before asking it. */
  expiryGraceMs?: number;
}

export interface StartSignIn {
  tabId: number;
  /** The tab's real origin, from the browser (the sender), never from the page. */
  site: string;
  relayOrigin: string;
  tenant: string;
  tenantDisplayName: string;
  username: string;
  /** The OIDC interaction the hosted page is in (from its marker), so the relay can name the registered application. */
  interaction?: string;
}

/**
 * Brokers phone sign-ins for tabs showing a genuine hosted sign-in page, one per tab: creates the request
 * (createBrokeredRequest), follows it (SignInFollowers), finishes it in the tab (finishSignInInTab) and
 * keeps its record (SignInRecords) in the store, so a restarted background resumes it with `resume()`
 * and never creates a second request.
 */
export class SignInBroker {
  private readonly records: SignInRecords;
  private readonly followers: SignInFollowers;

  constructor(private readonly deps: SignInBrokerDeps) {
    this.records = new SignInRecords({
      store: deps.store,
      now: deps.now,
      onView: deps.onView,
      onFinished: (record) => {
        this.followers.stop(record.tabId);
        deps.onFinished(record);
      },
    });
    this.followers = new SignInFollowers({
      records: this.records,
      fetch: deps.fetch,
      now: deps.now,
      redeem: (tabId) => finishSignInInTab(tabId, { records: this.records, fetch: deps.fetch, deliverGrant: deps.deliverGrant }),
      reconnectDelayMs: deps.reconnectDelayMs,
      expiryGraceMs: deps.expiryGraceMs,
    });
  }

  /** Stop following every request (what a stopped service worker does, for tests); the store keeps them. */
  dispose(): void {
    this.followers.stopAll();
  }

  /** The tab's sign-in as the UI shows it. */
  async view(tabId: number): Promise<SignInView | null> {
    const record = await this.records.get(tabId);
    return record ? viewOf(record) : null;
  }

  async views(): Promise<SignInView[]> {
    return (await this.records.list()).map(viewOf);
  }

  async start(input: StartSignIn): Promise<void> {
    await this.cancel(input.tabId, { keepView: true });
    const base = await this.records.save({
      tabId: input.tabId,
      site: input.site,
      tenant: input.tenant,
      tenantDisplayName: input.tenantDisplayName,
      relayOrigin: input.relayOrigin,
      username: input.username,
      ...(input.interaction ? { interaction: input.interaction } : {}),
      status: 'creating',
      updatedAt: this.deps.now(),
    });
    const created = await this.records.save(await createBrokeredRequest(base, this.deps));
    if (finalStatuses.has(created.status)) this.deps.onFinished(created);
    else void this.followers.follow(input.tabId);
  }

  /** Start again with the same tab, site and username. */
  async retry(tabId: number): Promise<boolean> {
    const record = await this.records.get(tabId);
    if (!record) return false;
    await this.start(record);
    return true;
  }

  /** Stop the tab's sign-in; a still pending request is cancelled at the relay. */
  async cancel(tabId: number, options: { keepView?: boolean } = {}): Promise<void> {
    this.followers.stop(tabId);
    const record = await this.records.remove(tabId, { quietly: options.keepView });
    if (record) await cancelAtRelay(record, this.deps.fetch);
  }

  /**
   * The person cancelled (Cancel in the popup or the panel, × on the panel): the request ends at the
   * relay, and the sign-in stays shown as cancelled, with Send another request, here and on the page.
   */
  async cancelByPerson(tabId: number): Promise<void> {
    this.followers.stop(tabId);
    const record = await this.records.get(tabId);
    if (!record) return;
    await cancelAtRelay(record, this.deps.fetch);
    await this.records.finish(tabId, {
      status: 'cancelled',
      message: 'You cancelled this sign-in request. Send another request to try again.',
    });
  }

  /** After the background restarted: follow every sign-in that was waiting. Never creates a request. */
  async resume(): Promise<void> {
    for (const record of await this.records.list()) {
      if (record.status === 'creating') {
        // The background stopped while the request was being sent: whether it was created is unknown,
        // and creating it again unasked could send the person a second push.
        await this.records.save({ ...record, status: 'not_created', message: 'The sign-in was interrupted. Try again.' });
      } else if (record.status === 'pending' || record.status === 'approved') {
        void this.followers.follow(record.tabId);
      }
    }
  }

  /** The page of the tab (re)connected: show it the sign-in, and hand over a grant it has not had yet. */
  async pageConnected(tabId: number): Promise<void> {
    const record = await this.records.get(tabId);
    if (!record) return;
    this.deps.onView(tabId, viewOf(record));
    if (record.grant && record.requestId && this.deps.deliverGrant(tabId, record.grant, record.requestId, record.site)) {
      await this.records.update(tabId, (current) => ({ ...current, grant: undefined }));
    }
  }
}
