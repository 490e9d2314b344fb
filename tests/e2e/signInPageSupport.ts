/**
 * Reading the relay's hosted sign-in page in Chromium as the extension and the tests do: its marker
 * (`<meta name="nod-sign-in">`, shared/schemas/signInPageMarker.ts) and the number it shows.
 */
import type { Page } from 'playwright-core';
import { type SignInPageMarker, parseSignInPageMarker, signInPageMarkerName } from '../../shared/schemas/extensionMessages';

/**
 * The page's marker once it names a request (the page's own or the extension's; never the number),
 * and, with `after`, once it names a newer one than that.
 */
export async function markerWithRequest(page: Page, after?: string): Promise<SignInPageMarker & { requestId: string }> {
  const handle = await page.waitForFunction(
    ([name, previous]) => {
      const content = document.querySelector(`meta[name="${name}"]`)?.getAttribute('content');
      const requestId = content ? JSON.parse(content).requestId : undefined;
      return requestId && requestId !== previous ? content : undefined;
    },
    [signInPageMarkerName, after] as const,
  );
  return parseSignInPageMarker((await handle.jsonValue()) as string) as SignInPageMarker & { requestId: string };
}

/** The request the page shows. */
export async function markedRequestId(page: Page): Promise<string> {
  return (await markerWithRequest(page)).requestId;
}

/** The number the page itself shows (without the extension). */
export async function shownNumber(page: Page): Promise<number> {
  const text = await page.getByTestId('number').textContent();
  return Number(/\d+/.exec(text ?? '')![0]);
}
