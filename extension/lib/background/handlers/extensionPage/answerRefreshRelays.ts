import type { Handler } from '../../../messaging/handlerMap';
import { refreshRelays } from '../../../relays/refreshRelays';
import type { ExtensionPageContext } from '../contexts';

export const answerRefreshRelays: Handler<'ui:refreshRelays', ExtensionPageContext> = async () => {
  await refreshRelays();
  return { ok: true };
};
