import { z } from 'zod';
import { displayName, origin } from './common';

/** Admin: change a tenant's display name or its registered sign-in origins. */
export const tenantUpdate = z.object({
  displayName: displayName.optional(),
  signInOrigins: z.array(origin).max(50).optional(),
});
export type TenantUpdate = z.infer<typeof tenantUpdate>;
