/**
 * The origin of a relay URL the person typed. `https:` is required except on loopback hosts (a relay
 * on the same machine, as in development and tests). A bare host name gets `https://`.
 */
export function normaliseRelayUrl(input: string): string {
  const text = input.trim();
  if (!text) throw new Error('Enter the relay’s address, such as https://nod.contoso.example.');
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new Error('That is not a web address.');
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error('A relay must use https:// (http:// only for a relay on this computer).');
  }
  if (url.username || url.password) throw new Error('A relay address has no user name or password in it.');
  return url.origin;
}

/**
 * The host permission pattern for exactly this origin. Chrome's patterns carry the port; Firefox's
 * cannot (Firefox bug 1362809), so there the pattern covers every port of the host — the background
 * still compares whole origins before it trusts a page.
 */
export function originPattern(origin: string, withPort = true): string {
  const url = new URL(origin);
  return `${url.protocol}//${withPort ? url.host : url.hostname}/*`;
}
