import { describe, expect, it } from 'vitest';
import type { RelayContext } from '../../server/context';
import type { RequestEvent } from '../../server/signin/requests/SignInEventBus';
import { createInProcessEventBus } from '../../server/signin/requests/createInProcessEventBus';
import { subscribeBeforeReading } from '../../server/signin/requests/watchSignInRequest';

describe('a collector stream subscribed before its request is read', () => {
  it('holds what changes between the read and the stream, then hands it over in order, then what follows; nothing after cancel', async () => {
    const events = createInProcessEventBus();
    const ctx = { events } as unknown as RelayContext;
    const subscription = subscribeBeforeReading(ctx, 'r1');
    // The approval lands while the collector is being authenticated.
    await events.publishRequest({ requestId: 'r1', status: 'pending', delivered: true });
    await events.publishRequest({ requestId: 'r1', status: 'approved' });
    await events.publishRequest({ requestId: 'other', status: 'denied' });
    const seen: RequestEvent[] = [];
    subscription.start({ next: (event) => seen.push(event) });
    await events.publishRequest({ requestId: 'r1', status: 'redeemed' });
    expect(seen.map((e) => e.status)).toEqual(['pending', 'approved', 'redeemed']);
    subscription.cancel();
    await events.publishRequest({ requestId: 'r1', status: 'redeemed' });
    expect(seen).toHaveLength(3);
    expect(events.listenerCount).toBe(0);
  });
});
