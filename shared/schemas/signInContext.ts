import { z } from 'zod';

/** What the phone shows about a sign-in before the user types the number. Never the number. */
export const signInContext = z.object({
  applicationName: z.string().optional(),
  /** "Seattle, US", or "Unknown location"; absent when policy hides it. */
  location: z.string().optional(),
  /** "Chrome on Linux" */
  browser: z.string().optional(),
  /** The origin the sign-in is for, as the relay or the extension saw it. */
  origin: z.string(),
  /** True when a registered Nod browser extension created the request (the origin is browser-verified). */
  registeredBrowser: z.boolean().default(false),
  /** True when this browser has never been used by the user before. */
  newBrowser: z.boolean().optional(),
});
export type SignInContext = z.infer<typeof signInContext>;
