import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { type PagePort, runContentScript } from '../lib/page/runContentScript';

interface ExtensionGlobal {
  runtime?: { id?: string; connect(info: { name: string }): PagePort };
}

/**
 * The content script. Not in the manifest: the background registers it for the granted origins only
 * (scripting.registerContentScripts), and the popup injects it into the active tab (activeTab).
 * An unlisted script rather than WXT's content-script entry, whose context announces itself to the page
 * with a window message carrying the extension's id: a page should learn nothing about the extension
 * until the extension has judged it genuine.
 *
 * It runs on every allowed page, so it stays small and cheap (issue 8: ≤ 15 KB gzipped, ≤ 1 ms on a
 * large page): no Preact, no zod. The UI (nod-page-ui.js) comes only when there is something to show.
 */
export default defineUnlistedScript({
  globalName: false,
  main() {
    // The runtime itself rather than webextension-polyfill: the script only opens a port, whose API is the
    // same in Chrome (`chrome`) and Firefox (`browser`), and the polyfill would cost every page its size
    // and its start-up.
    const runtime = () =>
      (globalThis as unknown as { browser?: ExtensionGlobal; chrome?: ExtensionGlobal }).browser?.runtime ??
      (globalThis as unknown as { chrome?: ExtensionGlobal }).chrome?.runtime;
    runContentScript({
      get isValid() {
        return Boolean(runtime()?.id);
      },
      connect: (name) => {
        const found = runtime();
        if (!found) throw new Error('The extension is gone.');
        return found.connect({ name });
      },
    });
  },
});
