import { z } from 'zod';
import { temporaryAccessPassLifetime } from '../constants';

/** Admin: issue a Temporary Access Pass. One-time by default; a new pass replaces the user's old one. */
export const temporaryAccessPassIssue = z.object({
  lifetimeMinutes: z
    .number()
    .int()
    .min(temporaryAccessPassLifetime.minMinutes)
    .max(temporaryAccessPassLifetime.maxMinutes)
    .default(temporaryAccessPassLifetime.defaultMinutes),
  oneTime: z.boolean().default(true),
});
export type TemporaryAccessPassIssue = z.input<typeof temporaryAccessPassIssue>;

/** The answer: the pass itself is shown this once and stored only as a hash. */
export interface TemporaryAccessPassIssued {
  temporaryAccessPass: string;
  expiresAt: string;
  oneTime: boolean;
}
