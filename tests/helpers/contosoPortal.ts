/**
 * The Contoso Portal demo site (server/demo) beside a test relay, registered as a client of
 * tenant contoso: the site a person signs in to in the end-to-end tests. Signing in goes through
 * the relay's hosted page (dist/pages, built before the tests: tests/helpers/builds.ts).
 */
import net from 'node:net';
import { type DemoSite, startDemoSite } from '../../server/demo/createDemoSite';
import type { TestRelay, TestTenant } from './startRelay';

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function startContosoPortal(relay: TestRelay, tenant: TestTenant, clientId = 'contoso-portal'): Promise<DemoSite> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const created = await tenant.admin('POST', '/clients', {
    clientId,
    displayName: 'Contoso Portal',
    redirectUris: [`${url}/callback`],
    postLogoutRedirectUris: [`${url}/`],
  });
  if (created.status !== 201) throw new Error(`client: ${created.status} ${JSON.stringify(created.body)}`);
  return startDemoSite({ issuer: `${relay.url}/t/${tenant.name}`, clientId, clientSecret: created.body.clientSecret, port, publicUrl: url });
}
