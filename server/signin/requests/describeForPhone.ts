import type { SignInDescription } from '../../../shared/schemas/signInRequests';
import type { Device } from '../../storage/model';
import { describeBrowser } from './describeBrowser';

/**
 * What the phone shows about a sign-in before the user types the number (the wire calls it the
 * request's `context`): the application, where and from which browser, the origin, and whether a
 * registered browser vouched for it. Never the number.
 */
export function describeForPhone(shown: {
  /** Absent when the tenant's policy hides it, or when no registered client names the application. */
  applicationName: string | undefined;
  showLocation: boolean;
  /** Where the caller's address is, in words (server/location): a place, "This network" or "Unknown location". */
  location: string;
  userAgent: string | undefined;
  origin: string;
  /** The registered browser (extension) that signed the call, if any. */
  browser: Device | undefined;
  /** Whether that browser is registered for this user. */
  browserRegistered: boolean;
}): SignInDescription {
  const browserDescription = describeBrowser(shown.userAgent);
  return {
    ...(shown.applicationName ? { applicationName: shown.applicationName } : {}),
    ...(shown.showLocation ? { location: shown.location } : {}),
    ...(browserDescription ? { browser: browserDescription } : {}),
    origin: shown.origin,
    registeredBrowser: shown.browserRegistered,
    ...(shown.browser ? { newBrowser: !shown.browserRegistered } : {}),
  };
}
