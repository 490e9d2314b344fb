import type { AsyncLocalStorage } from 'node:async_hooks';
// @ts-expect-error: the provider's own request context has no type declaration (oidc-provider has no "exports" map, so the path resolves).
import untypedProviderContext from 'oidc-provider/lib/helpers/als.js';

/**
 * oidc-provider keeps the Koa context of the request it is handling in one AsyncLocalStorage
 * (its `Provider.ctx`, read by token formats and configuration callbacks) and enters it with
 * `run()` on every request. On Node 20 that switches on async hooks for the whole process and
 * nothing switches them off: after the first OpenID Connect request, every promise, timer and
 * socket the relay makes pays for them (a promise about three times the CPU), the sign-in API's
 * calls too. So the relay disables that storage again whenever no provider request is under way;
 * the next one enables it again by itself (`run()` does), and the hooks go off with it.
 */
export const providerContext = untypedProviderContext as AsyncLocalStorage<unknown>;

let underWay = 0;

/** Run one request through a provider; the provider's request context is on only while one is under way. */
export async function inProviderRequest(handle: () => Promise<void>): Promise<void> {
  underWay++;
  try {
    await handle();
  } finally {
    underWay--;
    if (underWay === 0) providerContext.disable();
  }
}
