import { z } from 'zod';
import { displayName, origin, tenantName } from './common';

/** Operator (CLI): create a tenant. */
export const tenantCreate = z.object({
  name: tenantName,
  displayName: displayName.optional(),
  signInOrigins: z.array(origin).max(50).default([]),
});
export type TenantCreate = z.input<typeof tenantCreate>;
