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

/** Accept an extension page (popup, options) only from this extension's own origin. */
export function verifyExtensionPageSender(sender: SenderLike | undefined, extensionId: string, extensionBaseUrl: string): boolean {
  if (!sender || sender.id !== extensionId || !sender.url) return false;
  const base = extensionBaseUrl.endsWith('/') ? extensionBaseUrl : `${extensionBaseUrl}/`;
  if (!sender.url.startsWith(base)) return false;
  if (sender.origin !== undefined && `${sender.origin}/` !== base) return false;
  return true;
}
