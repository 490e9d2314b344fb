import { type ExtensionToPageMessage, extensionToPageMessage, type PageToExtensionMessage } from '../../shared/schemas/extensionMessages';

/**
 * The page's side of the hand-off with the Nod browser extension (shared/schemas/signInPageMarker):
 * messages on this window, from this origin only, validated; unknown ones are ignored.
 */
export function listenToExtension(onMessage: (message: ExtensionToPageMessage) => void): () => void {
  const listener = (event: MessageEvent) => {
    if (event.source !== window || event.origin !== location.origin) return;
    const parsed = extensionToPageMessage.safeParse(event.data);
    if (parsed.success) onMessage(parsed.data);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}

export function tellExtension(message: PageToExtensionMessage): void {
  window.postMessage(message, location.origin);
}
