import '../lib/noEval';
import { browser } from 'wxt/browser';
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { runContentScript } from '../lib/page/runContentScript';

/**
 * The content script. Not in the manifest: the background registers it for the granted origins only
 * (scripting.registerContentScripts), and the popup injects it into the active tab (activeTab).
 * An unlisted script rather than WXT's content-script entry, whose context announces itself to the page
 * with a window message carrying the extension's id: a page should learn nothing about the extension
 * until the extension has judged it genuine.
 */
export default defineUnlistedScript({
  globalName: false,
  main() {
    runContentScript({
      get isValid() {
        return Boolean(browser.runtime?.id);
      },
    });
  },
});
