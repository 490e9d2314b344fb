import { panelFrameKey } from '../../../shared/schemas/extensionMessages';
import { originOf } from '../origins/matchSignInOrigin';

/** What the browser says about a message's or port's sender (`runtime.MessageSender`). */
export interface SenderLike {
  id?: string;
  url?: string;
  /** Chrome: the origin of the sending frame, computed by the browser. */
  origin?: string;
  frameId?: number;
  tab?: { id?: number; url?: string };
}

export interface ContentScriptSender {
  tabId: number;
  /** The real origin of the page, from the browser. */
  origin: string;
}

export interface PanelFrameSender {
  /** The tab whose page frames the panel. */
  tabId: number;
  /** The key in the frame's URL: the page UI's own frame carries the key it announced. */
  key: string;
}

/**
 * Accept a content script only when the browser says it is ours, in the top frame of a tab, on a web
 * origin — and the origins the browser reports for the frame and the tab agree. What the page or the
 * content script says about itself plays no part.
 */
export function verifyContentScriptSender(sender: SenderLike | undefined, extensionId: string): ContentScriptSender | undefined {
  if (!sender || sender.id !== extensionId) return undefined;
  const tabId = sender.tab?.id;
  if (typeof tabId !== 'number' || tabId < 0) return undefined;
  // Only the top frame: a sign-in page framed by another site must not broker (clickjacking).
  if (sender.frameId !== 0) return undefined;
  const fromUrl = originOf(sender.url);
  if (!fromUrl) return undefined;
  if (sender.origin !== undefined && sender.origin !== fromUrl) return undefined;
  // The tab's URL is only visible with a host permission for it; when visible it must agree.
  if (sender.tab?.url !== undefined && originOf(sender.tab.url) !== fromUrl) return undefined;
  return { tabId, origin: fromUrl };
}

/**
 * The extension page the sender runs, by path, when it is one of ours: our extension id, a URL on our
 * own origin (not a content script, whose URL is the web page's), and the browser's origin agreeing.
 */
function ownPage(sender: SenderLike | undefined, extensionId: string, extensionBaseUrl: string): URL | undefined {
  if (!sender || sender.id !== extensionId || !sender.url) return undefined;
  const base = extensionBaseUrl.endsWith('/') ? extensionBaseUrl : `${extensionBaseUrl}/`;
  if (!sender.url.startsWith(base)) return undefined;
  if (sender.origin !== undefined && `${sender.origin}/` !== base) return undefined;
  return new URL(sender.url);
}

/** The pages that may use the `extensionPage` channel: never a page that web pages can frame. */
const extensionPagePaths: readonly string[] = ['/popup.html', '/options.html'];

/** Accept an extension page (popup, options) only from this extension's own origin. */
export function verifyExtensionPageSender(sender: SenderLike | undefined, extensionId: string, extensionBaseUrl: string): boolean {
  const page = ownPage(sender, extensionId, extensionBaseUrl);
  return page !== undefined && extensionPagePaths.includes(page.pathname);
}

/** The sign-in panel's page: web-accessible, so sign-in pages can frame it (and so can any other page). */
const panelFramePath = '/panel.html';

/**
 * Accept the sign-in panel's frame: our own panel page, framed inside a tab (never a tab of its own),
 * with a key in its URL. Any page may frame the panel page, so the background shows a frame a sign-in
 * only when its key is the one the page UI announced and the tab's page is the genuine page the
 * sign-in is for.
 */
export function verifyPanelFrameSender(
  sender: SenderLike | undefined,
  extensionId: string,
  extensionBaseUrl: string,
): PanelFrameSender | undefined {
  const page = ownPage(sender, extensionId, extensionBaseUrl);
  if (page?.pathname !== panelFramePath) return undefined;
  const tabId = sender?.tab?.id;
  if (typeof tabId !== 'number' || tabId < 0) return undefined;
  if (typeof sender?.frameId !== 'number' || sender.frameId <= 0) return undefined;
  const key = page.hash.slice(1);
  if (!panelFrameKey.safeParse(key).success) return undefined;
  return { tabId, key };
}
