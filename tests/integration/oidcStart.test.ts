import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../helpers/cookieJar';
import { enrollPhone } from '../helpers/enrollPhone';
import { signInWithPhoneAt } from '../helpers/hostedSignIn';
import { freePort } from '../helpers/processes';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

interface Started {
  child: ChildProcess;
  output: string;
  temporaryAccessPass: string;
  portalUrl: string;
}

/** Run what `npm start` runs after building (server/start/startWithDemo.ts) until it prints its summary. */
async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(
    process.execPath,
    [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), path.join(repo, 'server/start/startWithDemo.ts')],
    {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Press Ctrl+C')) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`start exited with ${code}:\n${output}`));
    });
  });
  const temporaryAccessPass = /Temporary Access Pass\s+(\S+)/.exec(output)![1];
  const portalUrl = /Contoso Portal \(demo site\)\s+(\S+)/.exec(output)![1];
  return { child, output, temporaryAccessPass, portalUrl };
}

async function stop(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  return exited;
}

describe('the one-command start (npm start)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-start-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('seeds contoso, prints the URLs and a fresh pass; Bala enrolls a phone and signs in to Contoso Portal; a second run keeps it all', async () => {
    const [port, demoPort] = [await freePort(), await freePort()];
    const env = { NOD_DATA_DIR: dataDir, NOD_PORT: String(port), NOD_DEMO_PORT: String(demoPort), NOD_LOG_LEVEL: 'warn' };
    const relayUrl = `http://localhost:${port}`;
    const first = await start(env);
    let phone: Awaited<ReturnType<typeof enrollPhone>>;
    try {
      expect(first.portalUrl).toBe(`http://localhost:${demoPort}`);
      expect(first.output).toContain(`${relayUrl}/t/contoso/my-sign-ins`);
      expect(first.output).toContain('bala@contoso.example (Bala Sandhu)');
      expect(first.temporaryAccessPass).toMatch(/^[A-Za-z0-9]{16}$/);

      phone = await enrollPhone(relayUrl, {
        tenant: 'contoso',
        username: 'bala@contoso.example',
        temporaryAccessPass: first.temporaryAccessPass,
      });
      const enabled = await phone.call('PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, { enabled: true });
      expect(enabled.status).toBe(200);

      const jar = new CookieJar();
      const toRelay = await jar.fetch(`${first.portalUrl}/login`);
      const toPage = await jar.fetch(toRelay.location!);
      const { redirectTo } = await signInWithPhoneAt(jar, relayUrl, toPage.location!, 'contoso', 'bala@contoso.example', phone);
      const back = await jar.follow(redirectTo, (url) => url.origin === first.portalUrl && url.pathname === '/');
      expect(back.url).toBe(`${first.portalUrl}/`);
      const home = await jar.fetch(back.url);
      expect(home.text).toContain('Hello, Bala Sandhu');
      expect(home.text).toContain('bala@contoso.example');
    } finally {
      expect(await stop(first)).toBe(0);
    }

    const second = await start(env);
    try {
      expect(second.temporaryAccessPass).not.toBe(first.temporaryAccessPass);
      // The data was kept: the enrolled phone is still Bala's, and the portal still signs in (same client secret).
      const mine = await phone.call('GET', '/api/device/registrations');
      expect(mine.status).toBe(200);
      expect(mine.body.registrations).toHaveLength(1);
      const portal = await fetch(`${second.portalUrl}/login`, { redirect: 'manual' });
      expect(portal.status).toBe(303);
      const configuration = await fetch(`${relayUrl}/t/contoso/.well-known/openid-configuration`);
      expect(configuration.status).toBe(200);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 90_000);
});
