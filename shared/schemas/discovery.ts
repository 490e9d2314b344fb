import { z } from 'zod';
import { tenantName } from './common';

/**
 * A domain a tenant registers for home realm discovery: a DNS name of at least two labels,
 * compared in lower case (`contoso.example`), without a trailing dot.
 */
export const domainName = z
  .string()
  .trim()
  .max(253)
  .transform((value) => value.toLowerCase().replace(/\.$/, ''))
  .pipe(
    z
      .string()
      .regex(
        /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
        'a domain such as contoso.example (letters, digits, inner hyphens, at least one dot)',
      ),
  );

/** The domain part of a username (after its last `@`), lower case; undefined when it has none. */
export function domainOfUsername(username: string): string | undefined {
  const at = username.lastIndexOf('@');
  if (at < 0) return undefined;
  const parsed = domainName.safeParse(username.slice(at + 1));
  return parsed.success ? parsed.data : undefined;
}

/**
 * `GET /api/discovery?username=…` (home realm discovery): which organization a username belongs to,
 * from its domain alone. The relay never looks the user up, so the answer is the same for every
 * username of a domain and tells nothing about who exists.
 */
export const homeRealmQuery = z.object({
  username: z
    .string()
    .max(254)
    .refine((value) => domainOfUsername(value) !== undefined, 'a username with its domain, such as alex@contoso.example'),
});

/** The organization of a registered domain. A domain no organization registered is a 404 problem (`tenant_not_found`). */
export const homeRealm = z.object({
  tenant: tenantName,
  displayName: z.string().min(1).max(200),
});
export type HomeRealm = z.infer<typeof homeRealm>;

/** Admin: register a domain for the tenant (`POST /admin/t/:tenant/domains`). */
export const tenantDomainAdd = z.object({ domain: domainName });

/** Admin: the tenant's domains (`GET /admin/t/:tenant/domains`). */
export const tenantDomainList = z.object({ domains: z.array(z.string()) });
export type TenantDomainList = z.infer<typeof tenantDomainList>;
