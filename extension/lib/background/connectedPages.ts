import { browser } from 'wxt/browser';
import type { Envelope, MessageOn, PageVerdict } from '../../../shared/schemas/extensionMessages';
import { pageUiFile } from '../contentScripts/syncContentScripts';

export type Port = ReturnType<typeof browser.runtime.connect>;

/** A tab's top page, as its content script's port told the background (sender checked when the port opened). */
export interface ConnectedPage {
  readonly tabId: number;
  readonly port: Port;
  /** The page's real origin, from the browser when the port opened. */
  readonly origin: string;
  verdict?: PageVerdict;
  /** The OIDC interaction of the hosted page (from its marker). */
  interaction?: string;
  /** The page UI script was injected (or is being injected) into this page. */
  ui?: boolean;
  /** The key the page UI put in its panel frame's URL. */
  panelKey?: string;
}

/** The content scripts' ports, one per tab: what the background knows of each tab's page, and how to reach it. */
export class ConnectedPages {
  private readonly byTab = new Map<number, ConnectedPage>();

  /** A content script connected (its sender already checked): it is now the tab's page. */
  connect(tabId: number, origin: string, port: Port): ConnectedPage {
    const page: ConnectedPage = { tabId, origin, port };
    this.byTab.set(tabId, page);
    port.onDisconnect.addListener(() => {
      if (this.byTab.get(tabId) === page) this.byTab.delete(tabId);
    });
    return page;
  }

  get(tabId: number): ConnectedPage | undefined {
    return this.byTab.get(tabId);
  }

  forget(tabId: number): void {
    this.byTab.delete(tabId);
  }

  /** The tab's page when the background judged it the genuine page of `site`. */
  genuineAt(tabId: number, site: string): ConnectedPage | undefined {
    const page = this.byTab.get(tabId);
    return page?.verdict?.kind === 'genuine' && page.origin === site ? page : undefined;
  }

  post(tabId: number, envelope: Envelope<MessageOn<'toContentScript'>>): boolean {
    const page = this.byTab.get(tabId);
    if (!page) return false;
    try {
      page.port.postMessage(envelope);
      return true;
    } catch {
      return false;
    }
  }

  /** Post only to the page the sign-in is for: the same tab, and the same real origin. */
  postToSite(tabId: number, site: string, envelope: Envelope<MessageOn<'toContentScript'>>): boolean {
    return this.byTab.get(tabId)?.origin === site ? this.post(tabId, envelope) : false;
  }

  /**
   * The content script on every page is only an observer; its UI (panel, offer, look-alike warning) is
   * injected into the tab's top frame once there is something to show there: a look-alike or an offer
   * verdict, or a sign-in on a genuine page. Only the background decides that, from its own verdict.
   */
  showUi(page: ConnectedPage): void {
    if (page.ui || this.byTab.get(page.tabId) !== page) return;
    page.ui = true;
    Promise.resolve()
      .then(() => browser.scripting.executeScript({ target: { tabId: page.tabId, frameIds: [0] }, files: [pageUiFile] }))
      .catch((error: unknown) => {
        page.ui = false; // tried again on the next verdict or view
        console.warn('Nod: could not show the page UI', error);
      });
  }
}
