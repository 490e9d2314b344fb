import type { Handler } from '../../../messaging/handlerMap';
import { refreshRelays } from '../../../relays/refreshRelays';
import type { FromExtensionPage } from '../senders';

export const answerRefreshRelays: Handler<'ui:refreshRelays', FromExtensionPage> = async () => {
  await refreshRelays();
  return { ok: true };
};
