/**
 * Start the real relay for a test: the app factory on an ephemeral loopback port, a real SQLite
 * file in a fresh temporary directory (or, with `postgres: true`, a fresh PostgreSQL database on
 * the server at NOD_TEST_DATABASE_URL), real keys. `restart()` stops it and starts it again on
 * the same data directory, database and port, as an operator's restart would.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createAdminToken } from '../../server/admin/adminTokens';
import { configFor, type RelayConfig } from '../../server/config';
import { type AppOptions, type RelayApp, createApp } from '../../server/createApp';
import { defaultPushHosts } from '../../server/push/pushHosts';
import { createTenant } from '../../server/tenants/createTenant';
import { tenantCreate } from '../../shared/schemas/directory';
import { type TestDatabase, createTestDatabase } from './testDatabase';

export interface TestRelay extends RelayApp {
  url: string;
  dataDir: string;
  config: RelayConfig;
  /** The PostgreSQL database the relay runs on (another relay may share it), if not SQLite. */
  databaseUrl: string | undefined;
  /** Create a tenant and a global administrator token for it. */
  tenant(name: string, options?: { displayName?: string; signInOrigins?: string[] }): Promise<TestTenant>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestTenant {
  name: string;
  token: string;
  /** Call this tenant's admin API with its global administrator token. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export async function fetchJson(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const hasBody = init.body !== undefined;
  const response = await fetch(url, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: hasBody ? (typeof init.body === 'string' ? init.body : JSON.stringify(init.body)) : undefined,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

export interface StartRelayOptions extends AppOptions {
  /**
   * Keep the relay's state in a fresh PostgreSQL database, dropped by `close()`, instead of a SQLite
   * file. (To share a database with another relay, pass its `databaseUrl` among the overrides.)
   */
  postgres?: boolean;
}

export async function startRelay(overrides: Partial<RelayConfig> = {}, options: StartRelayOptions = {}): Promise<TestRelay> {
  const { postgres, ...appOptions } = options;
  const database: TestDatabase | undefined = postgres && !overrides.databaseUrl ? await createTestDatabase() : undefined;
  const databaseUrl = overrides.databaseUrl ?? database?.url;
  const dataDir = overrides.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nod-test-'));
  let port = overrides.port ?? 0;
  let current: RelayApp;
  let config: RelayConfig;

  const boot = async () => {
    // The public URL must be known before listening (it is WebAuthn's origin), so pick the port first.
    if (port === 0) {
      const probe = (await import('node:net')).createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      port = (probe.address() as AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
    }
    config = configFor({
      publicUrl: `http://localhost:${port}`,
      rpId: 'localhost',
      port,
      host: '127.0.0.1',
      // The real push services, and the loopback one of tests/helpers/pushService.
      pushHosts: [...defaultPushHosts, '127.0.0.1'],
      ...overrides,
      dataDir,
      databaseUrl,
    });
    current = await createApp(config, appOptions);
    await current.app.listen({ port, host: '127.0.0.1' });
  };
  try {
    await boot();
  } catch (error) {
    await database?.drop();
    throw error;
  }

  const relay: TestRelay = {
    get app() {
      return current.app;
    },
    get ctx() {
      return current.ctx;
    },
    get url() {
      return `http://localhost:${port}`;
    },
    get config() {
      return config;
    },
    dataDir,
    databaseUrl,
    async tenant(name, tenantOptions = {}) {
      const tenant = await createTenant(current.ctx, tenantCreate.parse({ name, ...tenantOptions }));
      const { token } = await createAdminToken(current.ctx, tenant, 'global_administrator', 'test');
      return {
        name,
        token,
        admin: async (method, adminPath, body) => {
          const result = await fetchJson(`${relay.url}/admin/t/${name}${adminPath}`, {
            method,
            body,
            headers: { authorization: `Bearer ${token}` },
          });
          return { status: result.status, body: result.body };
        },
      };
    },
    async restart() {
      await current.app.close();
      // Let pooled client sockets see the server's FIN before the next request reuses one.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await boot();
    },
    async close() {
      await current.app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
  return relay;
}
