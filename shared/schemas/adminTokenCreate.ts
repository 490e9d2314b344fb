import { z } from 'zod';

/** Global admin: make another admin token for this tenant. */
export const adminTokenCreate = z.object({
  role: z.enum(['global_administrator', 'authentication_policy_administrator']),
  label: z.string().trim().min(1).max(100).default('admin'),
});
