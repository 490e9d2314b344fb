import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProviderRequest, providerContext } from '../../server/oidc/providerRequestContext';
import { type TestRelay, fetchJson, startRelay } from '../helpers/startRelay';

/**
 * oidc-provider enters its request context (an AsyncLocalStorage) on every request; left on, it
 * keeps Node's async hooks on for the whole relay, and every promise of every later call pays.
 * A disabled storage forgets what it held: that is how these tests see it switched off.
 */
describe("the OpenID provider's request context is on only while a provider request is under way", () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startRelay();
    await relay.tenant('contoso');
  });
  afterAll(() => relay.close());

  it('is off again once a request through the provider is answered', async () => {
    providerContext.enterWith('held before the request');
    expect(providerContext.getStore()).toBe('held before the request');
    const discovery = await fetchJson(`${relay.url}/t/contoso/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.body.issuer).toBe(`${relay.url}/t/contoso`);
    expect(providerContext.getStore()).toBeUndefined();
  });

  it('stays on for a request still under way when another one ends', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let seenByFirst: unknown;
    const first = inProviderRequest(() =>
      providerContext.run('first', async () => {
        await released;
        seenByFirst = providerContext.getStore();
      }),
    );
    await inProviderRequest(() => providerContext.run('second', async () => {}));
    release();
    await first;
    expect(seenByFirst).toBe('first');
    providerContext.enterWith('held after both');
    await inProviderRequest(async () => {});
    expect(providerContext.getStore()).toBeUndefined();
  });
});
