import { z } from 'zod';
import { normaliseRelayUrl } from './normaliseRelayUrl';

/**
 * What an organization may set for its people (`storage.managed`): Chrome's enterprise policy for the
 * extension (schema: extension/public/managed_schema.json), Firefox's policies.json
 * (`3rdparty.Extensions["nod@nod.invalid"]`). `relays`: the organization's Nod addresses, pre-set.
 */
export const managedSettings = z.object({ relays: z.array(z.unknown()).max(20).optional() }).passthrough();

/** The relay origins a managed setting names, normalised; addresses that are not relay addresses are left out. */
export function relaysFromPolicy(value: unknown): string[] {
  const parsed = managedSettings.safeParse(value ?? {});
  if (!parsed.success) return [];
  const origins: string[] = [];
  for (const entry of parsed.data.relays ?? []) {
    if (typeof entry !== 'string') continue;
    try {
      const origin = normaliseRelayUrl(entry);
      if (!origins.includes(origin)) origins.push(origin);
    } catch {
      // Not a relay address (a policy typo): the others still count.
    }
  }
  return origins;
}
