import { displayText } from '../../../shared/displayText';
import type { SignInDescription, SiteCheck } from '../../../shared/schemas/signInRequests';
import type { Device } from '../../storage/model';
import { describeBrowser } from './describeBrowser';

/**
 * What the phone shows about a sign-in before the user types the number (the wire calls it the
 * request's `context`): the application, where and from which browser, the site as far as it was
 * checked, and the Nod browser that signed the request. Never the number, and never a caller's own
 * words: every text is the relay's (a registered client's name, the User-Agent as parsed, a browser's
 * registered name), sanitised for display.
 */
export function describeForPhone(shown: {
  /** The registered client's name; absent when the tenant's policy hides it, or no interaction names one. */
  applicationName: string | undefined;
  showLocation: boolean;
  /** Where the caller's address is, in words (server/location): a place, "This network" or "Unknown location". */
  location: string;
  userAgent: string | undefined;
  /** The site, and how it was checked (an unchecked site is not shown). */
  origin: string;
  siteCheck: SiteCheck;
  /** The browser (extension) that signed the call, if any. */
  browser: Device | undefined;
  /** Whether that browser is registered for this user. */
  browserRegistered: boolean;
}): SignInDescription {
  const applicationName = shown.applicationName ? displayText(shown.applicationName) : '';
  const browserDescription = describeBrowser(shown.userAgent);
  const browser = browserDescription ? displayText(browserDescription, 60) : '';
  return {
    ...(applicationName ? { applicationName } : {}),
    ...(shown.showLocation ? { location: shown.location } : {}),
    ...(browser ? { browser } : {}),
    ...(shown.siteCheck === 'unchecked' ? {} : { origin: shown.origin }),
    siteCheck: shown.siteCheck,
    ...(shown.browser
      ? {
          signedBy: { id: shown.browser.id, name: displayText(shown.browser.name, 60) || 'A browser', registered: shown.browserRegistered },
        }
      : {}),
  };
}
