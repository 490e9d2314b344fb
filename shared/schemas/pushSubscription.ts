import { z } from 'zod';
import { base64url } from './common';

/** A Web Push subscription as PushSubscription.toJSON() gives it. */
export const pushSubscription = z.object({
  endpoint: z
    .string()
    .max(2000)
    .refine((value) => {
      try {
        return new URL(value).protocol === 'https:';
      } catch {
        return false;
      }
    }, 'an https URL'),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: base64url.min(80).max(100),
    auth: base64url.min(16).max(32),
  }),
});
export type PushSubscriptionJson = z.infer<typeof pushSubscription>;
