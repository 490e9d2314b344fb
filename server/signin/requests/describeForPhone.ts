import type { SignInDescription } from '../../../shared/schemas/signInRequests';
import type { Device } from '../../storage/model';
import { describeBrowser } from './describeBrowser';

/**
 * Without a geolocation database the honest answer for every sign-in: the relay never presents
 * a guess as fact. (A location looked up from the caller's IP would replace it.)
 */
const unknownLocation = 'Unknown location';

/**
 * What the phone shows about a sign-in before the user types the number (the wire calls it the
 * request's `context`): the application, where and from which browser, the origin, and whether a
 * registered browser vouched for it. Never the number.
 */
export function describeForPhone(shown: {
  /** Absent when the tenant's policy hides it, or when no registered client names the application. */
  applicationName: string | undefined;
  showLocation: boolean;
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
    ...(shown.showLocation ? { location: unknownLocation } : {}),
    ...(browserDescription ? { browser: browserDescription } : {}),
    origin: shown.origin,
    registeredBrowser: shown.browserRegistered,
    ...(shown.browser ? { newBrowser: !shown.browserRegistered } : {}),
  };
}
