import { UAParser } from 'ua-parser-js';

/** "Chrome on Linux": the browser and operating system in words, from the User-Agent. */
export function describeBrowser(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  const parsed = new UAParser(userAgent).getResult();
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? undefined;
}

/**
 * Where the sign-in comes from. Without a geolocation database the honest answer is
 * "Unknown location": the relay never presents a guess as fact.
 */
export function describeLocation(_ip: string | undefined): string {
  return 'Unknown location';
}
