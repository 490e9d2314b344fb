import { z } from 'zod';
import { p256PublicJwk } from './common';

/** Extension: register this browser's key with a tenant (`POST /api/t/:tenant/browsers`). */
export const browserRegister = z.object({
  publicKey: p256PublicJwk,
  name: z.string().trim().min(1).max(100).default('Browser'),
});
export type BrowserRegister = z.input<typeof browserRegister>;
