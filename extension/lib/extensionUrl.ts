import { browser } from 'wxt/browser';

/**
 * A URL inside the extension. (WXT types `runtime.getURL` from generated files in .wxt/, which the
 * root type check of the tests does not load; the call is the same.)
 */
export function extensionUrl(path: string): string {
  return (browser.runtime as unknown as { getURL(path: string): string }).getURL(path);
}
