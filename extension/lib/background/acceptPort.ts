import { browser } from 'wxt/browser';
import { pagePortName } from '../../../shared/schemas/extensionMessages';
import { listenOnPort } from '../messaging/listenOnPort';
import { verifyContentScriptSender } from '../messaging/verifySender';
import type { BackgroundServices } from './backgroundServices';
import type { Port } from './connectedPages';
import { contentScriptHandlers } from './handlers/contentScriptHandlers';

/** A content script's port: only ours, from the top frame of a tab on a web origin. Untrusted after that too. */
function acceptContentScript(port: Port, services: BackgroundServices): void {
  const sender = verifyContentScriptSender(port.sender, browser.runtime.id);
  if (!sender) {
    port.disconnect();
    return;
  }
  const page = services.pages.connect(sender.tabId, sender.origin, port);
  listenOnPort(port, 'contentScript', contentScriptHandlers, { page, services });
}

/** Which channel a port is, by its name; a port under any other name is closed at once. */
const portChannels: Record<string, (port: Port, services: BackgroundServices) => void> = {
  [pagePortName]: acceptContentScript,
};

/** `runtime.onConnect`: the port's sender is checked for its channel before any of its messages is handled. */
export function acceptPort(port: Port, services: BackgroundServices): void {
  const accept = Object.hasOwn(portChannels, port.name) ? portChannels[port.name] : undefined;
  if (accept) accept(port, services);
  else port.disconnect();
}
