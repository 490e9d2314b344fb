import { z } from 'zod';
import { origin } from '../../../shared/schemas/common';
import { discoveredTenant } from '../../../shared/schemas/directory';

/** A relay the person added in the options page, as the extension keeps it (storage.local). */
export const relayRecord = z.object({
  /** The relay's origin: the one host permission asked for it. */
  origin,
  tenants: z.array(discoveredTenant),
  /** This browser's device id per tenant, once its key is registered there (`POST /api/browsers`). */
  deviceIds: z.record(z.string(), z.string().max(200)).default({}),
  addedAt: z.string(),
  fetchedAt: z.string(),
});
export type RelayRecord = z.infer<typeof relayRecord>;
