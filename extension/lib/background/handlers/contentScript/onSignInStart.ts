import type { Handler } from '../../../messaging/handlerMap';
import { matchSignInOrigin } from '../../../origins/matchSignInOrigin';
import { loadRelays } from '../../../relays/relayStore';
import type { FromPage } from '../senders';

/** The genuine page handed phone sign-in off: create the request for the page's real origin. */
export const onSignInStart: Handler<'signIn:start', FromPage> = async ({ username }, { page, services }) => {
  // Only a page the background itself judged genuine, from its real origin, may start a sign-in.
  const verdict = page.verdict;
  if (verdict?.kind !== 'genuine' || verdict.site !== page.origin) return;
  const match = matchSignInOrigin(page.origin, await loadRelays());
  if (match.kind !== 'registered') return;
  const found = match.tenants.find(({ tenant }) => tenant.name === verdict.tenant);
  if (!found) return;
  await services.broker.start({
    tabId: page.tabId,
    site: page.origin,
    relayOrigin: found.relayOrigin,
    tenant: found.tenant.name,
    tenantDisplayName: found.tenant.displayName,
    username,
    ...(page.interaction ? { interaction: page.interaction } : {}),
  });
};
