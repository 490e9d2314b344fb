import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../lib/page/runContentScript';

// Not in the manifest: the background registers it for the granted origins only (scripting API).
export default defineContentScript({
  registration: 'runtime',
  matches: [],
  runAt: 'document_idle',
  main(ctx) {
    runContentScript(ctx);
  },
});
