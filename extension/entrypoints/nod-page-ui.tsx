import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { mountPageUi } from '../lib/page/mountPageUi';
import { findPageUiBridge } from '../lib/page/pageBridge';

interface ExtensionGlobal {
  runtime?: { getURL(path: string): string };
}

/**
 * The extension's UI on a page (panel, Sign in with Nod offer, look-alike warning). Not a content script
 * of its own: the background injects it (scripting.executeScript, top frame of the tab whose content
 * script it judged) only when there is something to show, and it draws what that content script knows,
 * through the bridge in their shared isolated world. Without a content script there, or a second time,
 * it does nothing.
 */
export default defineUnlistedScript({
  globalName: false,
  main() {
    const once = globalThis as { __nodPageUi?: boolean };
    const bridge = findPageUiBridge();
    if (!bridge || once.__nodPageUi) return;
    once.__nodPageUi = true;
    // The runtime itself, as in the content script: the UI needs only this one call of it.
    const extension = globalThis as unknown as { browser?: ExtensionGlobal; chrome?: ExtensionGlobal };
    const runtime = extension.browser?.runtime ?? extension.chrome?.runtime;
    if (!runtime) return;
    mountPageUi(bridge, runtime.getURL('/panel.html'));
  },
});
