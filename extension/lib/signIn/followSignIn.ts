import { callRelay } from '../../../shared/relay/callRelay';
import { followEventStream } from '../../../shared/relay/followEventStream';
import { RelayProblem } from '../../../shared/relay/relayErrors';
import { type SignInRequestState, signInRequestEvents, signInRequestState } from '../../../shared/schemas/signInRequests';
import { type BrokeredSignIn, finalStatuses } from './brokeredSignIn';
import type { SignInRecords } from './signInRecords';
import { collectorHeaders, signInRequestUrl } from './signInRequestAtRelay';

export interface FollowDeps {
  records: SignInRecords;
  fetch: typeof fetch;
  now: () => number;
  /** The request was approved: redeem it and finish the sign-in in the tab. */
  redeem: (tabId: number) => Promise<void>;
  /** How long to wait before following the events again after the stream broke. */
  reconnectDelayMs?: number;
  /** How long past the expiry to wait for the relay's own `expired` before asking it. */
  expiryGraceMs?: number;
}

const timedOut = 'The request timed out. Send another request to try again.';

/**
 * Follows each tab's request at the relay until it ends: its server-sent events (resumed with
 * `Last-Event-ID` when the stream breaks), and past its expiry the relay's word on where it stands.
 * One follower per tab.
 */
export class SignInFollowers {
  private readonly running = new Map<number, AbortController>();

  constructor(private readonly deps: FollowDeps) {}

  stop(tabId: number): void {
    this.running.get(tabId)?.abort();
    this.running.delete(tabId);
  }

  /** Stop following every request (what a stopped service worker does); the records stay. */
  stopAll(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  async follow(tabId: number): Promise<void> {
    if (this.running.has(tabId)) return;
    const controller = new AbortController();
    this.running.set(tabId, controller);
    try {
      const record = await this.deps.records.get(tabId);
      if (!record || controller.signal.aborted) return;
      if (record.status === 'approved') return void (await this.deps.redeem(tabId));
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
        this.running.delete(tabId);
        await this.checkState(tabId);
      }
    } finally {
      if (this.running.get(tabId) === controller) this.running.delete(tabId);
    }
  }

  private async readEvents(record: BrokeredSignIn, signal: AbortSignal): Promise<void> {
    const delay = this.deps.reconnectDelayMs ?? 1_000;
    const events = followEventStream(`${signInRequestUrl(record)}/events`, {
      events: signInRequestEvents,
      headers: collectorHeaders(record),
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
      await this.deps.records.finish(record.tabId, { status: 'expired', message: 'This sign-in request is no longer known to the relay.' });
    }
  }

  /** Ask the relay where the request stands (after the expiry, or when the stream cannot say). */
  private async checkState(tabId: number): Promise<void> {
    const record = await this.deps.records.get(tabId);
    if (!record?.collectorSecret || !record.requestId) return;
    try {
      const state = await callRelay(signInRequestUrl(record), {
        headers: collectorHeaders(record),
        answer: signInRequestState,
        credentials: 'omit',
        fetch: this.deps.fetch,
      });
      const next = await this.applyState(tabId, state);
      if (next?.status === 'pending' && Date.parse(next.expiresAt ?? '') <= this.deps.now()) {
        await this.deps.records.finish(tabId, { status: 'expired', message: timedOut });
      }
      return;
    } catch {
      // fall through: the request is past its time either way
    }
    await this.deps.records.finish(tabId, { status: 'expired', message: timedOut });
  }

  /** Take the relay's word on the request into the record. */
  private async applyState(
    tabId: number,
    state: Pick<SignInRequestState, 'requestId' | 'status' | 'expiresAt' | 'message' | 'delivery'>,
    eventId?: string,
  ): Promise<BrokeredSignIn | undefined> {
    const { records } = this.deps;
    const record = await records.get(tabId);
    if (!record || record.requestId !== state.requestId || finalStatuses.has(record.status)) return record;
    const seen = eventId ? { lastEventId: eventId } : {};
    if (state.status === 'approved') {
      const approved = await records.save({ ...record, status: 'approved', message: state.message, ...seen });
      await this.deps.redeem(tabId);
      return approved;
    }
    if (finalStatuses.has(state.status)) return records.finish(tabId, { status: state.status, message: state.message });
    return records.save({
      ...record,
      status: state.status,
      expiresAt: state.expiresAt,
      ...(state.message ? { message: state.message } : {}),
      ...(state.delivery ? { delivery: state.delivery } : {}),
      ...seen,
    });
  }
}
