/**
 * The Contoso Portal demo site (server/demo) beside a test relay, registered as a client of
 * tenant contoso: the site a person signs in to in the end-to-end tests. Signing in goes through
 * the relay's hosted page (dist/hosted, built before the tests: tests/helpers/builds.ts).
 */
import { type DemoSite, startDemoSite } from '../../server/demo/createDemoSite';
import type { TestRelay, TestTenant } from './startRelay';
import { freePort } from './processes';

export async function startContosoPortal(relay: TestRelay, tenant: TestTenant, clientId = 'contoso-portal'): Promise<DemoSite> {
  return startPortalWith(relay.url, tenant.name, async (url) => {
    const created = await tenant.admin('POST', '/clients', {
      clientId,
      displayName: 'Contoso Portal',
      redirectUris: [`${url}/callback`],
      postLogoutRedirectUris: [`${url}/`],
    });
    if (created.status !== 201) throw new Error(`client: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body;
  });
}

/**
 * The portal for a client registered some other way (e.g. `nod admin client create`): its address is
 * known first (the redirect URI names it), then `register` makes the client, then the site starts.
 */
export async function startPortalWith(
  relayUrl: string,
  tenantName: string,
  register: (url: string) => Promise<{ clientId: string; clientSecret: string }>,
): Promise<DemoSite> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const { clientId, clientSecret } = await register(url);
  return startDemoSite({ issuer: `${relayUrl}/t/${tenantName}`, clientId, clientSecret, port, publicUrl: url });
}
