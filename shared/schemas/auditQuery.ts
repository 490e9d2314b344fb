import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

/** Admin: filters for the sign-in and audit log. */
export const auditQuery = z.object({
  user: z.string().max(254).optional(),
  outcome: z.string().max(40).optional(),
  type: z.string().max(80).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
