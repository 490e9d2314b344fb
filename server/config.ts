import path from 'node:path';
import { z } from 'zod';
import { defaultPushHosts, pushHostPattern } from './push/pushHosts';
import { isVapidSubject, VAPID_SUBJECT_RULE } from './push/vapid';

const portMessage = 'a port number from 0 to 65535';
// Digits only: Number() would take " " as 0 (a random port) and "1e3" as 1000.
const port = z.string().trim().regex(/^\d+$/, portMessage).transform(Number).pipe(z.number().max(65535, portMessage));

const bodyLimitMessage = 'a number of bytes from 1024 to 10485760';

const pushHostsMessage = 'comma-separated push service hosts such as fcm.googleapis.com,*.push.apple.com';

const databaseUrlMessage = 'a PostgreSQL URL such as postgres://nod@db.contoso.example/nod';
/** postgres:// or postgresql://, as libpq and the `pg` driver read it (host, port, database, user, ?sslmode=…). */
const databaseUrl = z.string().refine((value) => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
}, databaseUrlMessage);

/** The variables whose value may hold a secret: a bad one is echoed with its password hidden. */
const hidePassword: Record<string, (value: string) => string> = {
  NOD_DATABASE_URL: (value) => value.replace(/^([^:/?#]+:\/\/[^:@/?#]*:)[^/?#]*@/, '$1***@'),
};

/** The relay's settings, read once from NOD_* environment variables. */
const configSchema = z
  .object({
    NOD_PORT: port.default(8700),
    NOD_HOST: z.string().min(1).default('127.0.0.1'),
    /** The URL people open; WebAuthn's expected origin. Defaults to http://localhost:PORT. */
    NOD_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'an http or https URL such as https://nod.contoso.example' }).optional(),
    /** WebAuthn relying party id; defaults to the public URL's host name. */
    NOD_RP_ID: z
      .string()
      .regex(/^[a-z0-9.-]+$/i, 'a host name such as nod.contoso.example')
      .optional(),
    NOD_DATA_DIR: z.string().min(1).default('./data'),
    /** PostgreSQL instead of the embedded SQLite file: the state of every relay that shares it. */
    NOD_DATABASE_URL: databaseUrl.optional(),
    /** Where the built phone app is (default dist/pwa, what `npm run build:pwa` makes). */
    NOD_PWA_DIR: z.string().min(1).optional(),
    /**
     * A MaxMind-format database (.mmdb) to locate callers with, e.g. a GeoLite2 City file; unset:
     * the country database installed from the npm registry (server/location/locator.ts).
     */
    NOD_GEOIP_DB: z.string().min(1).optional(),
    NOD_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
    /** Largest accepted request body, in bytes. */
    NOD_BODY_LIMIT: z.coerce
      .number({ error: bodyLimitMessage })
      .int(bodyLimitMessage)
      .min(1024, bodyLimitMessage)
      .max(10 * 1024 * 1024, bodyLimitMessage)
      .default(64 * 1024),
    /** Trust X-Forwarded-* from a reverse proxy: true or false. */
    NOD_TRUST_PROXY: z.enum(['true', 'false'], { error: 'true or false' }).default('false'),
    /** Contact for push services (RFC 8292 `sub`): a mailto: URL with an address or an https: URL; Apple refuses anything else. */
    NOD_VAPID_SUBJECT: z.string().refine(isVapidSubject, VAPID_SUBJECT_RULE).default('mailto:admin@nod.invalid'),
    /** The push services the relay sends to, by host: comma-separated, `*.` for any host under a domain, `:port` to pin a port. */
    NOD_PUSH_HOSTS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(pushHostPattern, pushHostsMessage)).min(1, pushHostsMessage))
      .optional(),
  })
  .superRefine((env, ctx) => {
    // WebAuthn: the RP ID must be the origin's host or a parent domain of it, or no enrollment can succeed.
    const rpId = env.NOD_RP_ID?.toLowerCase();
    const url = env.NOD_PUBLIC_URL ?? `http://localhost:${env.NOD_PORT}`;
    // Only once the values themselves are good: a bad one has its own line already.
    if (!rpId || !/^[a-z0-9.-]+$/.test(rpId) || !URL.canParse(url)) return;
    const host = new URL(url).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      ctx.addIssue({ code: 'custom', path: ['NOD_RP_ID'], message: `${host} (the public URL's host) or a parent domain of it` });
    }
  })
  .transform((env) => {
    const publicUrl = new URL(env.NOD_PUBLIC_URL ?? `http://localhost:${env.NOD_PORT}`);
    return {
      port: env.NOD_PORT,
      host: env.NOD_HOST,
      publicUrl: publicUrl.origin,
      rpId: env.NOD_RP_ID?.toLowerCase() ?? publicUrl.hostname,
      dataDir: path.resolve(env.NOD_DATA_DIR),
      /** Unset: the SQLite file in the data directory. */
      databaseUrl: env.NOD_DATABASE_URL,
      pwaDir: env.NOD_PWA_DIR ? path.resolve(env.NOD_PWA_DIR) : undefined,
      /** Unset: the default country database. */
      geoipDb: env.NOD_GEOIP_DB ? path.resolve(env.NOD_GEOIP_DB) : undefined,
      logLevel: env.NOD_LOG_LEVEL,
      bodyLimit: env.NOD_BODY_LIMIT,
      trustProxy: env.NOD_TRUST_PROXY === 'true',
      vapidSubject: env.NOD_VAPID_SUBJECT,
      /** Push endpoints must be https URLs on one of these hosts (server/push/pushHosts). */
      pushHosts: env.NOD_PUSH_HOSTS ?? [...defaultPushHosts],
    };
  });

export type RelayConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
  }
}

/** Parse the configuration; a bad value throws a ConfigError with one line per problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): RelayConfig {
  const picked = Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith('NOD_') && value !== ''));
  const result = configSchema.safeParse(picked);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'config');
        const value = picked[name];
        const given = value === undefined ? undefined : (hidePassword[name]?.(value) ?? value);
        return `${name}: expected ${issue.message}${given === undefined ? '' : `, got ${JSON.stringify(given)}`}`;
      }),
    );
  }
  return result.data;
}

/** A configuration for tests and tools, without reading the environment. */
export function configFor(overrides: Partial<RelayConfig> & { dataDir: string }): RelayConfig {
  return { ...loadConfig({}), logLevel: 'silent', ...overrides };
}
