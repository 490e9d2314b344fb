import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFor, loadConfig } from '../../server/config';

/** The problems a configuration has, one line each; [] when it loads. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('the relay reads its configuration once from NOD_* variables', () => {
  it('with nothing set it runs on the embedded default', () => {
    expect(loadConfig({})).toEqual({
      port: 8700,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:8700',
      rpId: 'localhost',
      dataDir: path.resolve('data'),
      logLevel: 'info',
      bodyLimit: 64 * 1024,
      trustProxy: false,
      vapidSubject: 'mailto:admin@nod.invalid',
      pushHosts: ['fcm.googleapis.com', 'updates.push.services.mozilla.com', '*.push.apple.com', '*.notify.windows.com'],
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        NOD_PORT: '9000',
        NOD_HOST: '0.0.0.0',
        NOD_PUBLIC_URL: 'https://nod.contoso.example/ignored/path',
        NOD_RP_ID: 'Contoso.Example',
        NOD_DATA_DIR: '/var/lib/nod',
        NOD_LOG_LEVEL: 'warn',
        NOD_BODY_LIMIT: '1024',
        NOD_TRUST_PROXY: 'true',
        NOD_VAPID_SUBJECT: 'mailto:ops@contoso.example',
        NOD_PUSH_HOSTS: ' fcm.googleapis.com, *.Push.Apple.com,push.contoso.example:8443 ',
      }),
    ).toEqual({
      port: 9000,
      host: '0.0.0.0',
      publicUrl: 'https://nod.contoso.example',
      rpId: 'contoso.example',
      dataDir: '/var/lib/nod',
      logLevel: 'warn',
      bodyLimit: 1024,
      trustProxy: true,
      vapidSubject: 'mailto:ops@contoso.example',
      pushHosts: ['fcm.googleapis.com', '*.push.apple.com', 'push.contoso.example:8443'],
    });
  });

  it('the public URL follows the port when it is not set, and the RP ID follows the public URL', () => {
    expect(loadConfig({ NOD_PORT: '9100' })).toMatchObject({ publicUrl: 'http://localhost:9100', rpId: 'localhost' });
    expect(loadConfig({ NOD_PUBLIC_URL: 'https://nod.contoso.example:8443' })).toMatchObject({
      publicUrl: 'https://nod.contoso.example:8443',
      rpId: 'nod.contoso.example',
    });
  });

  it('NOD_DATABASE_URL selects PostgreSQL; unset, the SQLite file in the data directory stays the default', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ NOD_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    for (const url of [
      'postgres://nod:s3cret@db.contoso.example:5432/nod?sslmode=verify-full',
      'postgresql://nod@10.0.0.5/nod',
      'postgres:///nod?host=/var/run/postgresql',
    ]) {
      expect(loadConfig({ NOD_DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it('ignores empty values and variables that are not NOD_*', () => {
    expect(loadConfig({ NOD_PORT: '', PORT: 'not even a number', NOD_HOST: '' })).toMatchObject({ port: 8700, host: '127.0.0.1' });
  });

  describe('a bad value is one clear line naming the variable, what it needs and what it got', () => {
    it.each([
      { env: { NOD_PORT: 'abc' }, line: 'NOD_PORT: expected a port number from 0 to 65535, got "abc"' },
      { env: { NOD_PORT: '65536' }, line: 'NOD_PORT: expected a port number from 0 to 65535, got "65536"' },
      { env: { NOD_PORT: ' ' }, line: 'NOD_PORT: expected a port number from 0 to 65535, got " "' },
      { env: { NOD_PORT: '-1' }, line: 'NOD_PORT: expected a port number from 0 to 65535, got "-1"' },
      {
        env: { NOD_PUBLIC_URL: 'nod.contoso.example' },
        line: 'NOD_PUBLIC_URL: expected an http or https URL such as https://nod.contoso.example, got "nod.contoso.example"',
      },
      {
        env: { NOD_PUBLIC_URL: 'ftp://nod.contoso.example' },
        line: 'NOD_PUBLIC_URL: expected an http or https URL such as https://nod.contoso.example, got "ftp://nod.contoso.example"',
      },
      {
        env: { NOD_PUSH_HOSTS: 'https://fcm.googleapis.com' },
        line: 'NOD_PUSH_HOSTS: expected comma-separated push service hosts such as fcm.googleapis.com,*.push.apple.com, got "https://fcm.googleapis.com"',
      },
      { env: { NOD_RP_ID: 'contoso example' }, line: 'NOD_RP_ID: expected a host name such as nod.contoso.example, got "contoso example"' },
      {
        env: { NOD_PUBLIC_URL: 'https://nod.contoso.example', NOD_RP_ID: 'fabrikam.example' },
        line: `NOD_RP_ID: expected nod.contoso.example (the public URL's host) or a parent domain of it, got "fabrikam.example"`,
      },
      {
        env: { NOD_PUBLIC_URL: 'https://nod.contoso.example', NOD_RP_ID: 'toso.example' },
        line: `NOD_RP_ID: expected nod.contoso.example (the public URL's host) or a parent domain of it, got "toso.example"`,
      },
      {
        env: { NOD_DATABASE_URL: 'mysql://nod@db.contoso.example/nod' },
        line: 'NOD_DATABASE_URL: expected a PostgreSQL URL such as postgres://nod@db.contoso.example/nod, got "mysql://nod@db.contoso.example/nod"',
      },
      {
        env: { NOD_DATABASE_URL: 'db.contoso.example:5432' },
        line: 'NOD_DATABASE_URL: expected a PostgreSQL URL such as postgres://nod@db.contoso.example/nod, got "db.contoso.example:5432"',
      },
      // The line goes to logs: a password in a mistyped URL is not repeated there.
      {
        env: { NOD_DATABASE_URL: 'postgress://nod:s3cr@t@db.contoso.example/nod' },
        line: 'NOD_DATABASE_URL: expected a PostgreSQL URL such as postgres://nod@db.contoso.example/nod, got "postgress://nod:***@db.contoso.example/nod"',
      },
      { env: { NOD_LOG_LEVEL: 'loud' }, line: 'NOD_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"' },
      { env: { NOD_BODY_LIMIT: '100' }, line: 'NOD_BODY_LIMIT: expected a number of bytes from 1024 to 10485760, got "100"' },
      { env: { NOD_TRUST_PROXY: 'yes' }, line: 'NOD_TRUST_PROXY: expected true or false, got "yes"' },
      // Apple's push service refuses a subject that is not a mailto: or https: URL (403 BadJwtToken).
      ...[
        'ops@contoso.example',
        'mailto:',
        'mailto:ops',
        'mailto:ops@',
        'https:',
        'https://',
        'http://contoso.example',
        'mailto:ops @contoso.example',
      ].map((subject) => ({
        env: { NOD_VAPID_SUBJECT: subject },
        line: `NOD_VAPID_SUBJECT: expected a mailto: URL with an address (mailto:ops@contoso.example) or an https: URL, got ${JSON.stringify(subject)}`,
      })),
    ])('$line', ({ env, line }) => {
      expect(problemsOf(env)).toEqual([line]);
    });

    it('several bad values give one line each', () => {
      expect(problemsOf({ NOD_PORT: 'abc', NOD_PUBLIC_URL: 'nowhere', NOD_TRUST_PROXY: 'maybe' })).toEqual([
        'NOD_PORT: expected a port number from 0 to 65535, got "abc"',
        'NOD_PUBLIC_URL: expected an http or https URL such as https://nod.contoso.example, got "nowhere"',
        'NOD_TRUST_PROXY: expected true or false, got "maybe"',
      ]);
    });

    it('a VAPID subject may be a mailto: URL with an address or an https: URL', () => {
      for (const subject of [
        'mailto:ops@contoso.example',
        'mailto:ops%2Bpush@contoso.example?subject=nod',
        'https://contoso.example/contact',
      ]) {
        expect(problemsOf({ NOD_VAPID_SUBJECT: subject })).toEqual([]);
      }
    });

    it('an RP ID that is a parent domain of the public URL host is fine', () => {
      expect(problemsOf({ NOD_PUBLIC_URL: 'https://nod.contoso.example', NOD_RP_ID: 'contoso.example' })).toEqual([]);
    });
  });

  it('configFor makes a quiet configuration for tests and tools without reading the environment', () => {
    expect(configFor({ dataDir: '/tmp/x' })).toMatchObject({ dataDir: '/tmp/x', logLevel: 'silent', port: 8700 });
  });
});
