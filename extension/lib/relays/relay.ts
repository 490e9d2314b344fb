import { z } from 'zod';
import { origin, tenantName } from '../../../shared/schemas/common';

/** One tenant as the relay's discovery (`GET /api/tenants`) describes it. */
export const discoveredTenant = z.object({
  name: tenantName,
  displayName: z.string().min(1).max(200),
  /** Where this tenant's hosted sign-in page may legitimately be served. */
  signInOrigins: z.array(origin).max(50),
  /** The tenant's OpenID Connect issuer. */
  issuer: z.url({ protocol: /^https?$/ }).max(500),
});
export type DiscoveredTenant = z.infer<typeof discoveredTenant>;

/** The relay's public discovery document. Unknown fields are ignored. */
export const tenantDiscovery = z.object({
  relay: origin,
  tenants: z.array(discoveredTenant).max(500),
});
export type TenantDiscovery = z.infer<typeof tenantDiscovery>;

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
