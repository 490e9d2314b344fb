import type { FastifyReply, FastifyRequest } from 'fastify';
import { type SignInRequestState, finalRequestStatuses, signInRequestEvents } from '../../../shared/schemas/signInRequests';
import type { RelayContext } from '../../context';
import type { SignInRequest } from '../../storage/model';
import { openEventStream } from '../../http/eventStream';
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

/**
 * A subscription to one request's events made before the request is read (so no change between
 * the two is missed), holding what arrives until the stream takes over.
 */
export interface RequestSubscription {
  /** Hands every held event, then each new one, to `listener`. */
  start(listener: (event: RequestEvent) => void): void;
  cancel(): void;
}

export function subscribeBeforeReading(ctx: RelayContext, requestId: string): RequestSubscription {
  let held: RequestEvent[] | undefined = [];
  let listener: ((event: RequestEvent) => void) | undefined;
  const cancel = ctx.events.subscribeRequest(requestId, (event) => (listener ? listener(event) : held?.push(event)));
  return {
    start(next) {
      listener = next;
      const waiting = held ?? [];
      held = undefined;
      for (const event of waiting) next(event);
    },
    cancel,
  };
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
  // Keep only the id and what never changes: thousands of these wait at once.
  const requestId = first.id;
  const expiresAt = first.expiresAt;
  // Only a collector that knew the user is real ever learns the delivery stage (see currentRequestState).
  const collectorKnown = first.collectorKnown;
  let firstRead: SignInRequest | undefined = first;
  let sent: number | undefined;
  let queue = Promise.resolve();
  const stream = openEventStream(request, reply, signInRequestEvents, () => subscription.cancel());
  const send = (state: SignInRequestState, final: boolean) => {
    const ordinal = stateOrdinal(state);
    sent ??= lastSeenOrdinal(lastEventId, ordinal);
    if (ordinal > sent || final) {
      sent = Math.max(sent, ordinal);
      stream.send('state', state, ordinal);
    }
    // After the result is redeemed (or the request ended without approval) there is nothing more to say.
    if (final) stream.close();
  };
  const deliverStored = async () => {
    if (stream.closed) return;
    const stored = firstRead ?? (await ctx.storage.signInRequests.byId(requestId));
    firstRead = undefined;
    if (!stored) return stream.close();
    const current = await settleExpiry(ctx, stored);
    send(await currentRequestState(ctx, current), finalRequestStatuses.includes(current.status));
  };
  /** The state an event carries, or undefined when it carries none to trust (then storage is read). */
  const stateOf = (event: RequestEvent): SignInRequestState | undefined => {
    if (sent === undefined) return undefined;
    if (event.status === 'pending') {
      // A pending request past its expiry is settled through storage.
      return event.delivered && collectorKnown && expiresAt > ctx.now()
        ? requestState({ id: requestId, status: 'pending', expiresAt }, true)
        : undefined;
    }
    return requestState({ id: requestId, status: event.status, expiresAt });
  };
  const deliverEvent = async (event: RequestEvent) => {
    if (stream.closed) return;
    const state = stateOf(event);
    if (!state) return deliverStored();
    send(state, finalRequestStatuses.includes(state.status));
  };
  const next = (event?: RequestEvent) => {
    queue = queue
      .then(() => (event ? deliverEvent(event) : deliverStored()))
      .catch((error) => {
        ctx.log.warn({ err: error, requestId }, 'request event stream failed');
        stream.close();
      });
  };
  next();
  subscription.start(next);
  await queue;
}
