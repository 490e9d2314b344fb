import { z } from 'zod';

/** What the desktop side says about itself; the relay adds the IP and user agent it saw. */
export const clientDescription = z.object({
  /** The application being signed in to (an OIDC client's display name), when known. */
  applicationName: z.string().trim().min(1).max(100).optional(),
  /** The OIDC client id, when the request comes from an OIDC interaction. */
  clientId: z.string().max(200).optional(),
});
export type ClientDescription = z.infer<typeof clientDescription>;
