/**
 * Read what the user pasted or scanned: the enrollment link from My Sign-ins
 * (`${relay}/app/#/enroll?code=…`) or the bare code. The link must be for this relay, because the
 * account's passkey and device key belong to the relay the app runs on.
 */
export type EnrollmentLink = { ok: true; code: string } | { ok: false; message: string };

export function parseEnrollmentLink(text: string, appOrigin: string): EnrollmentLink {
  const value = text.trim();
  if (value === '') return { ok: false, message: 'Paste the enrollment link or code from My Sign-ins.' };
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { ok: false, message: "That isn't a link Nod can read." };
    }
    const hashQuery = url.hash.includes('?') ? url.hash.slice(url.hash.indexOf('?') + 1) : '';
    const code = new URLSearchParams(hashQuery).get('code') ?? url.searchParams.get('code');
    if (!code || !url.hash.startsWith('#/enroll')) return { ok: false, message: "That link isn't an enrollment link from My Sign-ins." };
    if (url.origin !== appOrigin) {
      return { ok: false, message: `That link is for ${url.host}. Open it on this phone to add the account there.` };
    }
    return { ok: true, code };
  }
  if (!/^[A-Za-z0-9_-]{8,200}$/.test(value)) return { ok: false, message: "That doesn't look like an enrollment code." };
  return { ok: true, code: value };
}
