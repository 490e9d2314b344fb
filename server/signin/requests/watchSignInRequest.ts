import type { FastifyReply, FastifyRequest } from 'fastify';
import { type SignInRequestState, finalRequestStatuses, signInRequestEvents } from '../../../shared/schemas/signInRequests';
import type { RelayContext } from '../../context';
import type { SignInRequest } from '../../storage/model';
import { type EventStream, openEventStream } from '../../http/eventStream';
import type { RequestEvent } from './SignInEventBus';
import { currentRequestState, requestState } from './requestState';
import { settleExpiry } from './settleExpiry';

/**
 * A state's event id: the order in which states follow each other (pending and sent, pending and
 * delivered, then an answer or another ending, then redeemed), so a client can resume with
 * `Last-Event-ID`.
 */
function stateOrdinal(state: SignInRequestState): number {
  if (state.status === 'pending') return state.delivery === 'delivered' ? 2 : 1;
  if (state.status === 'redeemed') return 4;
  return 3;
}

/**
 * What a `Last-Event-ID` says was seen: a plain decimal integer no greater than the ordinal of the
 * request's state now. Anything else (`abc`, `1e999`, `-1`, `2.0`, an id beyond the current
 * state) counts as nothing seen, so the client gets the current state again.
 */
function lastSeenOrdinal(header: unknown, current: number): number {
  if (typeof header !== 'string' || !/^[0-9]{1,3}$/.test(header)) return 0;
  const seen = Number(header);
  return seen <= current ? seen : 0;
}

/** What a subscription hands its events to, once it is started. */
export interface RequestEventTarget {
  next(event: RequestEvent): void;
}

/**
 * A subscription to one request's events made before the request is read (so no change between
 * the two is missed), holding what arrives until the stream takes over.
 */
export interface RequestSubscription {
  readonly requestId: string;
  /** Hands every held event, then each new one, to `target`. */
  start(target: RequestEventTarget): void;
  cancel(): void;
}

export function subscribeBeforeReading(ctx: RelayContext, requestId: string): RequestSubscription {
  return new HeldSubscription(ctx, requestId);
}

/**
 * subscribeBeforeReading's subscription: one object, its methods on the prototype (thousands wait
 * at once). The bus gets one bound method, and its unsubscribe function serves as the stream's
 * `onClose` as it is: no closure per stream.
 */
class HeldSubscription implements RequestSubscription {
  private held: RequestEvent[] | undefined = [];
  private target: RequestEventTarget | undefined;
  readonly cancel: () => void;

  constructor(
    ctx: RelayContext,
    readonly requestId: string,
  ) {
    this.cancel = ctx.events.subscribeRequest(requestId, this.take.bind(this));
  }

  private take(event: RequestEvent): void {
    if (this.target) this.target.next(event);
    else this.held?.push(event);
  }

  start(target: RequestEventTarget): void {
    this.target = target;
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const event of waiting) target.next(event);
  }
}

/**
 * The collector's event stream of one request: each state once, in order, from the one after
 * `Last-Event-ID`. It always ends: a request that has ended (or ends while watched) sends its
 * final state — even when the client says it saw it — and the stream closes. The first state is
 * the request as read when the collector was authenticated, with `subscription` made before that
 * read (so no change between the two is missed); an event that carries a stored state (an ending,
 * `redeemed`, a delivered `pending`) is sent as it says, without reading the request again, and
 * any other event is a cue to read it. Deliveries run one at a time, in order; a state no later
 * than one already sent is not sent again.
 */
export async function watchSignInRequest(
  ctx: RelayContext,
  first: SignInRequest,
  subscription: RequestSubscription,
  lastEventId: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const stream = openEventStream(request, reply, signInRequestEvents, subscription.cancel);
  const watch = new RequestWatch(ctx, subscription.requestId, first, lastEventId, stream);
  watch.next();
  subscription.start(watch);
  await watch.queue;
}

/**
 * One collector's watch of one request. Thousands wait at once, so it keeps only the id and what
 * never changes, and its methods live on the prototype rather than in closures made per stream.
 */
class RequestWatch implements RequestEventTarget {
  private readonly expiresAt: number;
  /** Only a collector that knew the user is real ever learns the delivery stage (see currentRequestState). */
  private readonly collectorKnown: boolean;
  private firstRead: SignInRequest | undefined;
  private lastEventId: unknown;
  private sent: number | undefined;
  /** The deliveries under way, in order; undefined once they are done, so a waiting stream keeps no settled promise. */
  queue: Promise<void> | undefined;

  constructor(
    private readonly ctx: RelayContext,
    /** The subscription's string (the same id as `first.id`): one string per waiter, not two. */
    private readonly requestId: string,
    first: SignInRequest,
    lastEventId: unknown,
    private readonly stream: EventStream<typeof signInRequestEvents>,
  ) {
    this.expiresAt = first.expiresAt;
    this.collectorKnown = first.collectorKnown;
    this.firstRead = first;
    this.lastEventId = lastEventId;
  }

  /** Deliver `event` (or, without one, the stored state) after whatever is being delivered. */
  next(event?: RequestEvent): void {
    const queue: Promise<void> = (this.queue ?? Promise.resolve())
      .then(() => (event ? this.deliverEvent(event) : this.deliverStored()))
      .catch((error) => {
        this.ctx.log.warn({ err: error, requestId: this.requestId }, 'request event stream failed');
        this.stream.close();
      })
      .then(() => {
        if (this.queue === queue) this.queue = undefined;
      });
    this.queue = queue;
  }

  private send(state: SignInRequestState, final: boolean): void {
    const ordinal = stateOrdinal(state);
    if (this.sent === undefined) {
      this.sent = lastSeenOrdinal(this.lastEventId, ordinal);
      this.lastEventId = undefined;
    }
    if (ordinal > this.sent || final) {
      this.sent = Math.max(this.sent, ordinal);
      this.stream.send('state', state, ordinal);
    }
    // After the result is redeemed (or the request ended without approval) there is nothing more to say.
    if (final) this.stream.close();
  }

  private async deliverStored(): Promise<void> {
    if (this.stream.closed) return;
    const stored = this.firstRead ?? (await this.ctx.storage.signInRequests.byId(this.requestId));
    this.firstRead = undefined;
    if (!stored) return this.stream.close();
    const current = await settleExpiry(this.ctx, stored);
    this.send(await currentRequestState(this.ctx, current), finalRequestStatuses.includes(current.status));
  }

  /** The state an event carries, or undefined when it carries none to trust (then storage is read). */
  private stateOf(event: RequestEvent): SignInRequestState | undefined {
    if (this.sent === undefined) return undefined;
    if (event.status === 'pending') {
      // A pending request past its expiry is settled through storage.
      return event.delivered && this.collectorKnown && this.expiresAt > this.ctx.now()
        ? requestState({ id: this.requestId, status: 'pending', expiresAt: this.expiresAt }, true)
        : undefined;
    }
    return requestState({ id: this.requestId, status: event.status, expiresAt: this.expiresAt });
  }

  private async deliverEvent(event: RequestEvent): Promise<void> {
    if (this.stream.closed) return;
    const state = this.stateOf(event);
    if (!state) return this.deliverStored();
    this.send(state, finalRequestStatuses.includes(state.status));
  }
}
