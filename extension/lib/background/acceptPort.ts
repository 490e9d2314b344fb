import { browser } from 'wxt/browser';
import { pagePortName, panelPortName } from '../../../shared/schemas/extensionMessages';
import { extensionUrl } from '../extensionUrl';
import { listenOnPort } from '../messaging/listenOnPort';
import { verifyContentScriptSender, verifyPanelFrameSender } from '../messaging/verifySender';
import type { BackgroundServices } from './backgroundServices';
import type { Port } from './connectedPages';
import { contentScriptHandlers } from './handlers/contentScriptHandlers';
import { panelFrameHandlers } from './handlers/panelFrameHandlers';
import { showInPanel } from './showInPanel';

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

/** A panel frame's port: only our panel page, framed in a tab, with a key in its URL. */
function acceptPanelFrame(port: Port, services: BackgroundServices): void {
  const sender = verifyPanelFrameSender(port.sender, browser.runtime.id, extensionUrl('/'));
  if (!sender) {
    port.disconnect();
    return;
  }
  const { tabId, key } = sender;
  services.panels.connect(tabId, key, port);
  listenOnPort(port, 'panelFrame', panelFrameHandlers, { tabId, key, services });
  if (services.pages.get(tabId)?.panelKey === key) {
    void services.broker.view(tabId).then((view) => showInPanel(tabId, view, services));
  }
}

/** Which channel a port is, by its name; a port under any other name is closed at once. */
const portChannels: Record<string, (port: Port, services: BackgroundServices) => void> = {
  [pagePortName]: acceptContentScript,
  [panelPortName]: acceptPanelFrame,
};

/** `runtime.onConnect`: the port's sender is checked for its channel before any of its messages is handled. */
export function acceptPort(port: Port, services: BackgroundServices): void {
  const accept = Object.hasOwn(portChannels, port.name) ? portChannels[port.name] : undefined;
  if (accept) accept(port, services);
  else port.disconnect();
}
