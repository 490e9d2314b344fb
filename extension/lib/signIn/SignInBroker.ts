import { callRelay } from '../../../shared/relay/callRelay';
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { followEventStream } from '../../../shared/relay/followEventStream';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { noContent } from '../../../shared/schemas/common';
import type { SignInView } from '../../../shared/schemas/extensionMessages';
import { signInGrant } from '../../../shared/schemas/grants';
import {
  type SignInRequestCreated,
  signInRequestCreated,
  signInRequestEvents,
  signInRequestState,
} from '../../../shared/schemas/signInRequests';
import { type PendingSignIn, type SignInStore, finalStatuses, viewOf } from './pendingSignIn';

/** Signs a relay call with this browser's key, for one tenant (undefined: the browser is not registered there). */
export type BrowserSigner = (
  relayOrigin: string,
  tenant: string,
  request: { method: string; path: string; body: string },
) => Promise<string | undefined>;

export interface SignInBrokerDeps {
  store: SignInStore;
  fetch: typeof fetch;
  now: () => number;
  /** The device-signed Authorization header for the browser key, when it is registered with the tenant. */
  sign: BrowserSigner;
  /** This browser's stable `Nod-Collector-Key`: a new request supersedes its older pending one. */
  collectorKey: () => Promise<string>;
  /** A sign-in changed: update the tab's panel, the badge and the popup. Null: it is gone. */
  onView: (tabId: number, view: SignInView | null) => void;
  /** Hand the one-time grant to the tab's page on `site`; false when no such page is connected right now. */
  deliverGrant: (tabId: number, grant: string, requestId: string, site: string) => boolean;
  /** A sign-in ended: notify, remember the result (and the account when it succeeded). */
  onFinished: (record: PendingSignIn) => void;
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
  /** The OIDC client the hosted page is signing in to (from its marker), so the phone can name the application. */
  clientId?: string;
}

const problemMessages: Record<string, string> = {
  cool_down: 'Too many requests were denied or are waiting. Wait a few minutes, or use another way to sign in.',
  too_many_pending: 'Too many sign-in requests are waiting. Answer them on your phone, or wait a few minutes.',
  tenant_not_found: 'This organisation is not known to the relay any more.',
  device_signature_invalid: 'The relay did not accept this browser’s key.',
};

/**
 * Brokers phone sign-ins for tabs showing a genuine hosted sign-in page: creates the request with the
 * browser's own key and the tab's real origin, keeps the collector secret, follows the request's events,
 * redeems the approval and hands the one-time grant to the page. One sign-in per tab; its state lives in
 * the store, so a restarted background resumes it with `resume()` and never creates a second request.
 */
export class SignInBroker {
  private readonly followers = new Map<number, AbortController>();
  private readonly locks = new Map<number, Promise<unknown>>();

  constructor(private readonly deps: SignInBrokerDeps) {}

  /** Stop following every request (what a stopped service worker does, for tests); the store keeps them. */
  dispose(): void {
    for (const controller of this.followers.values()) controller.abort();
    this.followers.clear();
  }

  /** The tab's sign-in as the UI shows it. */
  async view(tabId: number): Promise<SignInView | null> {
    const record = await this.deps.store.get(tabId);
    return record ? viewOf(record) : null;
  }

  async views(): Promise<SignInView[]> {
    return (await this.deps.store.list()).map(viewOf);
  }

  async start(input: StartSignIn): Promise<void> {
    await this.cancel(input.tabId, { keepView: true });
    const base: PendingSignIn = {
      tabId: input.tabId,
      site: input.site,
      tenant: input.tenant,
      tenantDisplayName: input.tenantDisplayName,
      relayOrigin: input.relayOrigin,
      username: input.username,
      ...(input.clientId ? { clientId: input.clientId } : {}),
      status: 'creating',
      updatedAt: this.deps.now(),
    };
    await this.save(base);
    const created = await this.createRequest(base);
    await this.save(created);
    if (finalStatuses.has(created.status)) this.deps.onFinished(created);
    else void this.follow(input.tabId);
  }

  /** Start again with the same tab, site and username. */
  async retry(tabId: number): Promise<boolean> {
    const record = await this.deps.store.get(tabId);
    if (!record) return false;
    await this.start(record);
    return true;
  }

  /** Stop the tab's sign-in; a still pending request is cancelled at the relay. */
  async cancel(tabId: number, options: { keepView?: boolean } = {}): Promise<void> {
    this.followers.get(tabId)?.abort();
    this.followers.delete(tabId);
    const record = await this.deps.store.get(tabId);
    if (!record) return;
    await this.deps.store.remove(tabId);
    if (!options.keepView) this.deps.onView(tabId, null);
    if (record.collectorSecret && record.requestId && (record.status === 'pending' || record.status === 'approved')) {
      await callRelay(this.requestUrl(record), {
        method: 'DELETE',
        headers: this.collector(record),
        answer: noContent,
        credentials: 'omit',
        fetch: this.deps.fetch,
      }).catch(() => undefined);
    }
  }

  /** After the background restarted: follow every sign-in that was waiting. Never creates a request. */
  async resume(): Promise<void> {
    for (const record of await this.deps.store.list()) {
      if (record.status === 'creating') {
        // The background stopped while the request was being sent: whether it was created is unknown,
        // and creating it again unasked could send the person a second push.
        await this.save({ ...record, status: 'not_created', message: 'The sign-in was interrupted. Try again.' });
      } else if (record.status === 'pending' || record.status === 'approved') {
        void this.follow(record.tabId);
      }
    }
  }

  /** The page of the tab (re)connected: hand over a grant it has not had yet. */
  async pageConnected(tabId: number): Promise<void> {
    const record = await this.deps.store.get(tabId);
    if (!record) return;
    this.deps.onView(tabId, viewOf(record));
    if (record.grant && record.requestId && this.deps.deliverGrant(tabId, record.grant, record.requestId, record.site)) {
      await this.update(tabId, (current) => ({ ...current, grant: undefined }));
    }
  }

  /** Follow the request's server-sent events until it ends; the stream resumes with Last-Event-ID when it breaks. */
  async follow(tabId: number): Promise<void> {
    if (this.followers.has(tabId)) return;
    const controller = new AbortController();
    this.followers.set(tabId, controller);
    try {
      const record = await this.deps.store.get(tabId);
      if (!record || controller.signal.aborted) return;
      if (record.status === 'approved') return void (await this.redeem(tabId));
      if (record.status !== 'pending' || !record.collectorSecret || !record.requestId) return;
      const untilExpiry = Date.parse(record.expiresAt ?? '') - this.deps.now();
      if (untilExpiry <= 0) {
        await this.checkState(tabId);
        return;
      }
      // Past the expiry the relay will say `expired`; stop waiting for it a little after.
      const expiryTimer = setTimeout(() => controller.abort('expiry'), untilExpiry + (this.deps.expiryGraceMs ?? 3_000));
      try {
        await this.readEvents(record, controller.signal);
      } catch {
        // The store failed while applying an event: the sign-in stays as stored, and a resume picks it up.
        return;
      } finally {
        clearTimeout(expiryTimer);
      }
      if (controller.signal.reason === 'expiry') {
        this.followers.delete(tabId);
        await this.checkState(tabId);
      }
    } finally {
      if (this.followers.get(tabId) === controller) this.followers.delete(tabId);
    }
  }

  private async readEvents(record: PendingSignIn, signal: AbortSignal): Promise<void> {
    const delay = this.deps.reconnectDelayMs ?? 1_000;
    const events = followEventStream(`${this.requestUrl(record)}/events`, {
      events: signInRequestEvents,
      headers: this.collector(record),
      lastEventId: record.lastEventId,
      signal,
      credentials: 'omit',
      fetch: this.deps.fetch,
      reconnect: { firstMs: delay, maxMs: delay },
      // A request the relay no longer knows is over; anything else is worth another try until the expiry.
      shouldReconnect: (failure) => !(failure instanceof RelayProblem && failure.status === 404),
    });
    try {
      for await (const { data: state, id } of events) {
        if (state.requestId !== record.requestId) continue;
        const next = await this.applyState(record.tabId, state, id);
        if (next?.status !== 'pending') return;
      }
    } catch (error) {
      if (!(error instanceof RelayProblem)) throw error;
      await this.finish(record.tabId, 'expired', 'This sign-in request is no longer known to the relay.');
    }
  }

  /** Ask the relay where the request stands (after the expiry, or when the stream cannot say). */
  private async checkState(tabId: number): Promise<void> {
    const record = await this.deps.store.get(tabId);
    if (!record?.collectorSecret || !record.requestId) return;
    try {
      const state = await callRelay(this.requestUrl(record), {
        headers: this.collector(record),
        answer: signInRequestState,
        credentials: 'omit',
        fetch: this.deps.fetch,
      });
      const next = await this.applyState(tabId, state);
      if (next?.status === 'pending' && Date.parse(next.expiresAt ?? '') <= this.deps.now()) {
        await this.finish(tabId, 'expired', 'The request timed out. Send a new request to try again.');
      }
      return;
    } catch {
      // fall through: the request is past its time either way
    }
    await this.finish(tabId, 'expired', 'The request timed out. Send a new request to try again.');
  }

  /** The request's URL at its relay. */
  private requestUrl(record: PendingSignIn): string {
    return `${record.relayOrigin}/api/sign-in-requests/${encodeURIComponent(record.requestId ?? '')}`;
  }

  /** Only the holder of the collector secret may watch, cancel or redeem the request. */
  private collector(record: PendingSignIn): Record<string, string> {
    return { authorization: `Bearer ${record.collectorSecret}` };
  }

  private async applyState(
    tabId: number,
    state: { requestId: string; status: PendingSignIn['status']; expiresAt: string; message?: string },
    eventId?: string,
  ): Promise<PendingSignIn | undefined> {
    const record = await this.deps.store.get(tabId);
    if (!record || record.requestId !== state.requestId || finalStatuses.has(record.status)) return record;
    if (state.status === 'approved') {
      const approved = await this.save({
        ...record,
        status: 'approved',
        message: state.message,
        ...(eventId ? { lastEventId: eventId } : {}),
      });
      await this.redeem(tabId);
      return approved;
    }
    if (finalStatuses.has(state.status)) {
      return this.finish(tabId, state.status, state.message);
    }
    return this.save({
      ...record,
      status: state.status,
      expiresAt: state.expiresAt,
      ...(state.message ? { message: state.message } : {}),
      ...(eventId ? { lastEventId: eventId } : {}),
    });
  }

  /** Exchange the approval for the one-time grant and hand it to the page. */
  private async redeem(tabId: number): Promise<void> {
    await this.withLock(tabId, async () => {
      const record = await this.deps.store.get(tabId);
      if (record?.status !== 'approved' || !record.collectorSecret || !record.requestId) return;
      let grant: string | undefined;
      let failure: string | undefined;
      try {
        ({ grant } = await callRelay(`${this.requestUrl(record)}/redeem`, {
          method: 'POST',
          headers: this.collector(record),
          answer: signInGrant,
          credentials: 'omit',
          fetch: this.deps.fetch,
        }));
      } catch (error) {
        failure =
          error instanceof RelayUnreachable
            ? 'The relay could not be reached to finish the sign-in. Try again.'
            : ((error instanceof RelayProblem ? error.detail?.slice(0, 300) : undefined) ?? 'The approval could not be used. Try again.');
      }
      if (!grant) {
        await this.finishUnlocked(tabId, 'failed', failure);
        return;
      }
      const delivered = this.deps.deliverGrant(tabId, grant, record.requestId, record.site);
      await this.finishUnlocked(tabId, 'redeemed', 'Approved. Signing you in…', delivered ? undefined : grant);
    });
  }

  private finish(tabId: number, status: PendingSignIn['status'], message?: string): Promise<PendingSignIn | undefined> {
    return this.withLock(tabId, () => this.finishUnlocked(tabId, status, message));
  }

  private async finishUnlocked(
    tabId: number,
    status: PendingSignIn['status'],
    message?: string,
    undeliveredGrant?: string,
  ): Promise<PendingSignIn | undefined> {
    const record = await this.deps.store.get(tabId);
    if (!record || finalStatuses.has(record.status)) return record;
    const { collectorSecret: _secret, ...rest } = record;
    const finished: PendingSignIn = {
      ...rest,
      status,
      ...(message ? { message } : {}),
      ...(undeliveredGrant ? { grant: undeliveredGrant } : {}),
      updatedAt: this.deps.now(),
    };
    await this.deps.store.put(finished);
    this.followers.get(tabId)?.abort();
    this.deps.onView(tabId, viewOf(finished));
    this.deps.onFinished(finished);
    return finished;
  }

  private async createRequest(base: PendingSignIn): Promise<PendingSignIn> {
    const path = `/api/t/${encodeURIComponent(base.tenant)}/sign-in-requests`;
    const send = async (signed: boolean) =>
      callRelayAsDevice(
        {
          relayUrl: base.relayOrigin,
          // A key that cannot sign (storage trouble) must not stop the sign-in: it goes unsigned, unmarked.
          sign: async (request) => (signed ? this.deps.sign(base.relayOrigin, base.tenant, request).catch(() => undefined) : undefined),
        },
        path,
        {
          // The origin is the tab's, as the browser reported it: the page never gets to say where it is.
          body: {
            username: base.username,
            kind: 'passwordless',
            origin: base.site,
            client: base.clientId ? { clientId: base.clientId } : {},
          },
          headers: { 'nod-collector-key': await this.deps.collectorKey() },
          answer: signInRequestCreated,
          credentials: 'omit',
          fetch: this.deps.fetch,
        },
      );
    let created: SignInRequestCreated;
    try {
      try {
        created = await send(true);
      } catch (error) {
        // The relay did not take this browser's key: a plain sign-in still works.
        if (!(error instanceof RelayProblem && error.status === 401)) throw error;
        created = await send(false);
      }
    } catch (error) {
      if (!(error instanceof RelayProblem)) {
        return { ...base, status: 'not_created', message: 'The relay could not be reached. Try again.', updatedAt: this.deps.now() };
      }
      const code = error.code;
      return {
        ...base,
        status: code === 'cool_down' || code === 'too_many_pending' ? 'cool_down' : 'not_created',
        message: problemMessages[code] ?? error.detail?.slice(0, 300) ?? `The relay refused the sign-in (${error.status}).`,
        updatedAt: this.deps.now(),
      };
    }
    const coolingDown = created.status === 'cool_down';
    return {
      ...base,
      status: coolingDown ? 'cool_down' : 'pending',
      requestId: created.requestId,
      number: created.number,
      expiresAt: created.expiresAt,
      ...(created.retryAt ? { retryAt: created.retryAt } : {}),
      ...(coolingDown ? {} : { collectorSecret: created.collectorSecret }),
      message: coolingDown ? problemMessages.cool_down : 'Open your Authenticator app and enter the number shown to sign in.',
      updatedAt: this.deps.now(),
    };
  }

  private async save(record: PendingSignIn): Promise<PendingSignIn> {
    const saved = { ...record, updatedAt: this.deps.now() };
    await this.deps.store.put(saved);
    this.deps.onView(record.tabId, viewOf(saved));
    return saved;
  }

  private async update(tabId: number, change: (record: PendingSignIn) => PendingSignIn): Promise<void> {
    await this.withLock(tabId, async () => {
      const record = await this.deps.store.get(tabId);
      if (record) await this.deps.store.put(change(record));
    });
  }

  /** One read-modify-write at a time per tab. */
  private withLock<T>(tabId: number, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(tabId) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.locks.set(
      tabId,
      next.catch(() => undefined),
    );
    return next;
  }
}
