import type { BackgroundServices } from '../backgroundServices';
import type { ConnectedPage } from '../connectedPages';

/** A content script's message: from the tab's page whose port passed the sender check. */
export interface FromPage {
  page: ConnectedPage;
  services: BackgroundServices;
}

/** A panel frame's message: from a frame in `tabId` carrying `key`, whose port passed the sender check. */
export interface FromPanelFrame {
  tabId: number;
  key: string;
  services: BackgroundServices;
}

/** A message from the popup or the options page, which passed the sender check. */
export interface FromExtensionPage {
  services: BackgroundServices;
}
