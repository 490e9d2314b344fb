import { browser } from 'wxt/browser';
import { parseMessage } from '../../../shared/schemas/extensionMessages';
import { extensionUrl } from '../extensionUrl';
import { dispatchMessage } from '../messaging/handlerMap';
import { type SenderLike, verifyExtensionPageSender } from '../messaging/verifySender';
import type { BackgroundServices } from './backgroundServices';
import { extensionPageHandlers } from './handlers/extensionPageHandlers';

/**
 * `runtime.onMessage`: only the popup and the options page send messages, and they are answered. The
 * sender is checked first; anything from elsewhere, unknown or malformed gets no answer at all.
 */
export function answerExtensionPage(raw: unknown, sender: SenderLike, services: BackgroundServices): Promise<unknown> | undefined {
  if (!verifyExtensionPageSender(sender, browser.runtime.id, extensionUrl('/'))) return undefined;
  const received = parseMessage('extensionPage', raw);
  if (!received) return undefined;
  return dispatchMessage(extensionPageHandlers, received, { services }).catch((error: unknown) => ({
    ok: false as const,
    error: error instanceof Error ? error.message : 'Something went wrong.',
  }));
}
