import { loadConfig } from '../config';
import { exitOnStartFailure, listenRelay, openRelay } from '../openRelay';
import { startDemoSite } from '../demo/createDemoSite';
import { issuerFor } from '../oidc/createTenantProvider';
import { demo, seedDemo } from './seedDemo';
import { stopOnSignals } from './stopOnSignals';

/**
 * `npm start`: the relay and the Contoso Portal demo site, with the demo tenant seeded, and what
 * to open printed with a fresh Temporary Access Pass. Data stays in NOD_DATA_DIR (./data).
 */
async function main(): Promise<void> {
  // A quieter log than the relay's default: the printed summary is what a person reads.
  const config = loadConfig({ NOD_LOG_LEVEL: 'warn', ...process.env });
  const demoPort = Number(process.env.NOD_DEMO_PORT ?? 8701);
  if (!Number.isInteger(demoPort) || demoPort < 1 || demoPort > 65535) {
    console.error('nod: NOD_DEMO_PORT: a port number (1-65535)');
    process.exit(2);
  }
  const demoUrl = (process.env.NOD_DEMO_PUBLIC_URL ?? `http://localhost:${demoPort}`).replace(/\/$/, '');

  const relay = await openRelay(config);
  await listenRelay(relay, config);
  const { app, ctx } = relay;
  const seeded = await seedDemo(ctx, demoUrl);
  const issuer = issuerFor(ctx, demo.tenant);
  const site = await startDemoSite({
    issuer,
    clientId: demo.clientId,
    clientSecret: seeded.clientSecret,
    port: demoPort,
    host: config.host,
    publicUrl: demoUrl,
  });
  const pwa = await app.inject({ method: 'GET', url: '/app/' });

  const expires = new Date(seeded.temporaryAccessPass.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const rows: [string, string][] = [
    ['Contoso Portal (demo site)', site.url],
    ['My Sign-ins', `${issuer}/my-sign-ins`],
    ...(pwa.statusCode === 200 ? ([['Authenticator app (PWA)', `${config.publicUrl}/app/`]] as [string, string][]) : []),
    ['OpenID Provider (issuer)', issuer],
    ['Demo user', `${seeded.user.username} (${seeded.user.displayName}), group "${demo.group}", mode any`],
    ['Temporary Access Pass', `${seeded.temporaryAccessPass.temporaryAccessPass}  (one-time, until ${expires})`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(
    [
      '',
      `Nod is running: relay ${config.publicUrl}, ${config.databaseUrl ? `data in PostgreSQL, keys in ${config.dataDir}` : `data in ${config.dataDir}`}`,
      '',
      ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
      '',
      'Add the account in the Authenticator app with the username and the Temporary Access Pass,',
      `enable phone sign-in, then open Contoso Portal and sign in as ${seeded.user.username}.`,
      'Run again to get a new pass; the data is kept. Admin commands: npm run nod -- admin --help',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  stopOnSignals(() => Promise.all([site.close(), app.close()]), app.log);
}

main().catch(exitOnStartFailure);
