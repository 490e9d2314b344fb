import type { SignInView } from '../../../shared/schemas/extensionMessages';
import { type BrokeredSignIn, type SignInStore, finalStatuses, viewOf } from './brokeredSignIn';

export interface SignInRecordsDeps {
  store: SignInStore;
  now: () => number;
  /** A sign-in changed: update the tab's panel, the badge and the popup. Null: it is gone. */
  onView: (tabId: number, view: SignInView | null) => void;
  /** A sign-in ended (once per sign-in). */
  onFinished: (record: BrokeredSignIn) => void;
}

/** How a sign-in ended. */
export interface SignInEnding {
  status: BrokeredSignIn['status'];
  message?: string;
  /** A redeemed grant the page could not take yet: kept until the page connects again. */
  undeliveredGrant?: string;
}

/**
 * The brokered sign-ins' records, one per tab, in the store: every change is stored and then shown, an
 * ending happens once and forgets the collector secret, and read-modify-writes of one tab take turns.
 */
export class SignInRecords {
  private readonly locks = new Map<number, Promise<unknown>>();

  constructor(private readonly deps: SignInRecordsDeps) {}

  get(tabId: number): Promise<BrokeredSignIn | undefined> {
    return this.deps.store.get(tabId);
  }

  list(): Promise<BrokeredSignIn[]> {
    return this.deps.store.list();
  }

  /** Store the record as it now stands, and show it. */
  async save(record: BrokeredSignIn): Promise<BrokeredSignIn> {
    const saved = { ...record, updatedAt: this.deps.now() };
    await this.deps.store.put(saved);
    this.deps.onView(record.tabId, viewOf(saved));
    return saved;
  }

  /** Forget the tab's sign-in, answering what it was. `quietly`: keep showing it (a new one replaces it at once). */
  async remove(tabId: number, options: { quietly?: boolean } = {}): Promise<BrokeredSignIn | undefined> {
    const record = await this.deps.store.get(tabId);
    if (!record) return undefined;
    await this.deps.store.remove(tabId);
    if (!options.quietly) this.deps.onView(tabId, null);
    return record;
  }

  /** Change the stored record without showing it. */
  update(tabId: number, change: (record: BrokeredSignIn) => BrokeredSignIn): Promise<void> {
    return this.locked(tabId, async () => {
      const record = await this.deps.store.get(tabId);
      if (record) await this.deps.store.put(change(record));
    });
  }

  /** End the tab's sign-in, unless it already ended. */
  finish(tabId: number, ending: SignInEnding): Promise<BrokeredSignIn | undefined> {
    return this.locked(tabId, () => this.finishHeld(tabId, ending));
  }

  /** `finish`, for work that already holds the tab's turn (`locked`). */
  async finishHeld(tabId: number, ending: SignInEnding): Promise<BrokeredSignIn | undefined> {
    const record = await this.deps.store.get(tabId);
    if (!record || finalStatuses.has(record.status)) return record;
    const { collectorSecret: _secret, ...rest } = record;
    const finished: BrokeredSignIn = {
      ...rest,
      status: ending.status,
      ...(ending.message ? { message: ending.message } : {}),
      ...(ending.undeliveredGrant ? { grant: ending.undeliveredGrant } : {}),
      updatedAt: this.deps.now(),
    };
    await this.deps.store.put(finished);
    this.deps.onView(tabId, viewOf(finished));
    this.deps.onFinished(finished);
    return finished;
  }

  /** One read-modify-write at a time per tab. */
  locked<T>(tabId: number, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(tabId) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.locks.set(
      tabId,
      next.catch(() => undefined),
    );
    return next;
  }
}
