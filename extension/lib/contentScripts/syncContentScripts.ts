import { browser } from 'wxt/browser';

const contentScriptId = 'nod-page';
export const contentScriptFile = '/nod-page.js';
/** The page UI (panel, offer, look-alike warning): injected by the background only when there is something to show. */
export const pageUiFile = '/nod-page-ui.js';
export const everySitePatterns = ['https://*/*', 'http://*/*'];

/** The web origins the person granted (relays, sites, or every site). */
export async function grantedPatterns(): Promise<string[]> {
  const { origins = [] } = await browser.permissions.getAll();
  return origins.filter((pattern) => /^(https?|\*):\/\//.test(pattern));
}

export function coversEverySite(patterns: string[]): boolean {
  return everySitePatterns.every((pattern) => patterns.includes(pattern)) || patterns.includes('*://*/*');
}

/**
 * Register the content script for exactly the granted origins (nothing is in the manifest). Called at
 * start and whenever a permission is added or removed.
 */
export async function syncContentScripts(): Promise<string[]> {
  const matches = await grantedPatterns();
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [contentScriptId] });
  if (matches.length === 0) {
    if (existing.length > 0) await browser.scripting.unregisterContentScripts({ ids: [contentScriptId] });
    return matches;
  }
  const script = {
    id: contentScriptId,
    matches,
    js: [contentScriptFile],
    runAt: 'document_idle' as const,
    allFrames: false,
    persistAcrossSessions: true,
  };
  if (existing.length > 0) await browser.scripting.updateContentScripts([script]);
  else await browser.scripting.registerContentScripts([script]);
  return matches;
}
