/**
 * A small cookie jar for driving the relay's browser-facing routes (authorization, the hosted
 * page, logout) from Node without a browser: it keeps cookies by name and path, follows no
 * redirects by itself, and sends what a browser would for each URL.
 */
export interface JarResponse {
  status: number;
  location: string | null;
  text: string;
  headers: Headers;
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

export class CookieJar {
  readonly #cookies: StoredCookie[] = [];

  cookieHeaderFor(url: URL): string {
    return this.#cookies
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired =
        attributes.some((a) => /^max-age=0$/i.test(a)) ||
        attributes.some((a) => a.toLowerCase().startsWith('expires=') && Date.parse(a.slice(8)) < Date.now());
      const index = this.#cookies.findIndex((c) => c.name === name && c.path === path);
      if (index >= 0) this.#cookies.splice(index, 1);
      if (!expired) this.#cookies.push({ name, value, path });
    }
  }

  async fetch(url: string | URL, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<JarResponse> {
    const target = new URL(url);
    const cookie = this.cookieHeaderFor(target);
    const response = await fetch(target, {
      method: init.method ?? 'GET',
      body: init.body,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...init.headers },
    });
    this.store(response.headers);
    const location = response.headers.get('location');
    return {
      status: response.status,
      location: location ? new URL(location, target).href : null,
      text: await response.text(),
      headers: response.headers,
    };
  }

  /** POST JSON from a page of `origin`, as the hosted page's script does. */
  async postJson(url: string, body: unknown, origin: string): Promise<{ status: number; body: any }> {
    const response = await this.fetch(url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', origin },
    });
    return { status: response.status, body: response.text ? JSON.parse(response.text) : undefined };
  }

  /** Follow redirects from `url` until one leaves `stopAtOrigin`'s routes or a page answers. */
  async follow(url: string, until: (url: URL) => boolean, limit = 10): Promise<{ url: string; response: JarResponse }> {
    let current = url;
    for (let i = 0; i < limit; i++) {
      if (until(new URL(current))) return { url: current, response: { status: 0, location: null, text: '', headers: new Headers() } };
      const response = await this.fetch(current);
      if (!response.location || response.status < 300 || response.status >= 400) return { url: current, response };
      current = response.location;
    }
    throw new Error(`too many redirects from ${url}`);
  }
}
