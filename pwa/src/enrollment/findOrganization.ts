import { discoverTenant, findTenantByName, unknownOrganizationWords } from '../../../shared/relay/discoverTenant';
import { domainOfUsername } from '../../../shared/schemas/discovery';

/** The organization an account is added to, or why it was not found (and whether to ask for it by name). */
export type FoundOrganization = { tenant: string } | { error: string; askName: boolean };

/**
 * Add account finds the organization from the username's domain (home realm discovery); the
 * **Other organization** field, when filled, names it instead (by its name or short name).
 */
export async function findOrganization(relayUrl: string, username: string, organizationName?: string): Promise<FoundOrganization> {
  if (organizationName?.trim()) {
    const named = await findTenantByName(relayUrl, organizationName);
    return named ? { tenant: named.tenant } : { error: unknownOrganizationWords(organizationName), askName: true };
  }
  const domain = domainOfUsername(username.trim());
  if (!domain) return { error: 'Enter your username with its domain, like you@contoso.example.', askName: false };
  const found = await discoverTenant(relayUrl, username.trim());
  if (found) return { tenant: found.tenant };
  return {
    error: `We couldn’t find an organization for ${domain}. Enter your organization’s name under Other organization.`,
    askName: true,
  };
}
