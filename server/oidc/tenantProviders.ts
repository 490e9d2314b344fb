import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { RelayContext } from '../context';
import type { Tenant } from '../storage/model';
import { createTenantProvider } from './createTenantProvider';
import { loadOidcSecret } from './loadOidcSecret';
import { inProviderRequest } from './providerRequestContext';

export interface TenantProvider {
  tenant: Tenant;
  provider: Provider;
  /** The provider's Koa handler, for requests whose URL has the `/t/<tenant>` prefix taken off. */
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/** One OpenID Provider per tenant, made on first use and kept for the life of the relay. */
export class TenantProviders {
  readonly #ctx: RelayContext;
  readonly #secret: Buffer;
  readonly #providers = new Map<string, Promise<TenantProvider | undefined>>();

  constructor(ctx: RelayContext) {
    this.#ctx = ctx;
    this.#secret = loadOidcSecret(ctx.config.dataDir);
  }

  get secret(): Buffer {
    return this.#secret;
  }

  /** The tenant's provider, or undefined for an unknown tenant (never cached, so a new tenant appears at once). */
  async get(tenantName: string): Promise<TenantProvider | undefined> {
    let entry = this.#providers.get(tenantName);
    if (!entry) {
      entry = this.#make(tenantName);
      this.#providers.set(tenantName, entry);
      entry.then((made) => {
        if (!made) this.#providers.delete(tenantName);
      });
    }
    const made = await entry;
    // The tenant's display name may have changed since the provider was made: pages show the current one.
    const current = made ? await this.#ctx.storage.tenants.byId(made.tenant.id) : undefined;
    if (made && current) made.tenant = current;
    return made;
  }

  async #make(tenantName: string): Promise<TenantProvider | undefined> {
    const tenant = await this.#ctx.storage.tenants.byName(tenantName);
    if (!tenant) return undefined;
    const provider = await createTenantProvider(this.#ctx, tenant, this.#secret);
    const callback = provider.callback();
    return { tenant, provider, handle: (req, res) => inProviderRequest(async () => void (await callback(req, res))) };
  }
}
