/**
 * A stable random value per browser (`Nod-Collector-Key`): a new sign-in request from this
 * browser supersedes its older unanswered one.
 */
export function collectorKey(): string {
  const name = 'nod.collectorKey';
  try {
    const existing = localStorage.getItem(name);
    if (existing && /^[A-Za-z0-9_-]{20,100}$/.test(existing)) return existing;
    const fresh = randomKey();
    localStorage.setItem(name, fresh);
    return fresh;
  } catch {
    return randomKey();
  }
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** The method this browser used last for this user in this tenant (the default next time). */
export const rememberedMethod = {
  key: (tenant: string, username: string) => `nod.lastMethod.${tenant}.${username.toLowerCase()}`,
  get(tenant: string, username: string): string | null {
    try {
      return localStorage.getItem(this.key(tenant, username));
    } catch {
      return null;
    }
  },
  set(tenant: string, username: string, method: string): void {
    try {
      localStorage.setItem(this.key(tenant, username), method);
    } catch {
      // storage may be off: the relay remembers per user as well
    }
  },
};
