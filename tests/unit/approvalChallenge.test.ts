import { describe, expect, it } from 'vitest';
import { approvalChallenge, boundSite, canonicalApproval } from '../../shared/approvalChallenge';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * Known answers for the canonical approval (shared/approvalChallenge.ts), written from its definition:
 * the version tag, the request id, the nonce, the site the phone showed as checked (empty when it could
 * not be checked), the typed number in decimal digits (empty when none) and the decision, joined by
 * "\n" (0x0a), in UTF-8. Every character here is ASCII, so each is one byte:
 *
 *   "nod-approval-v2"                = 6e 6f 64 2d 61 70 70 72 6f 76 61 6c 2d 76 32
 *   "Req_1-a"                        = 52 65 71 5f 31 2d 61
 *   "n0nce-_Z"                       = 6e 30 6e 63 65 2d 5f 5a
 *   "https://portal.contoso.example" = 68 74 74 70 73 3a 2f 2f 70 6f 72 74 61 6c 2e 63 6f 6e 74 6f 73 6f 2e
 *                                      65 78 61 6d 70 6c 65
 *   "42"                             = 34 32
 *   "approve"                        = 61 70 70 72 6f 76 65
 *   "deny"                           = 64 65 6e 79
 *
 * The challenge is SHA-256 of those bytes, base64url without padding. The digests below were computed
 * outside this code base, from the bytes above; a reviewer can repeat it with
 *   printf 'nod-approval-v2\nReq_1-a\nn0nce-_Z\nhttps://portal.contoso.example\n42\napprove' | sha256sum
 *   printf 'nod-approval-v2\nReq_1-a\nn0nce-_Z\nhttps://portal.contoso.example\n42\napprove' | openssl dgst -sha256 -binary | basenc --base64url
 * (and the same with '\n\n\ndeny' in place of '\nhttps://portal.contoso.example\n42\napprove').
 */
describe('the canonical approval, byte for byte', () => {
  const requestId = 'Req_1-a';
  const nonce = 'n0nce-_Z';
  const site = 'https://portal.contoso.example';

  it('an approval with the typed number 42 on a checked site', async () => {
    const binding = { requestId, nonce, site, typedNumber: 42, decision: 'approve' as const };
    expect(hex(canonicalApproval(binding))).toBe(
      [
        '6e6f642d617070726f76616c2d7632', // nod-approval-v2
        '0a',
        '5265715f312d61', // Req_1-a
        '0a',
        '6e306e63652d5f5a', // n0nce-_Z
        '0a',
        '68747470733a2f2f706f7274616c2e636f6e746f736f2e6578616d706c65', // https://portal.contoso.example
        '0a',
        '3432', // 42
        '0a',
        '617070726f7665', // approve
      ].join(''),
    );
    // SHA-256 = 1a5bb7444ec05b1d5d597183b1dfc6d18b56df876276c6bbc85b9dfec7ca5b63
    expect(await approvalChallenge(binding)).toBe('Glu3RE7AWx1dWXGDsd_G0YtW34didsa7yFud_sfKW2M');
  });

  it('a denial without a typed number, on a site that could not be checked: both lines are empty', async () => {
    const binding = { requestId, nonce, site: '', typedNumber: null, decision: 'deny' as const };
    expect(hex(canonicalApproval(binding))).toBe(
      [
        '6e6f642d617070726f76616c2d7632', // nod-approval-v2
        '0a',
        '5265715f312d61', // Req_1-a
        '0a',
        '6e306e63652d5f5a', // n0nce-_Z
        '0a', // no site
        '0a', // no number
        '0a',
        '64656e79', // deny
      ].join(''),
    );
    // SHA-256 = f0a5c8a61e4fd40974766f857d763f2ec4bfd9b0bed271705ef76aa4cf702596
    expect(await approvalChallenge(binding)).toBe('8KXIph5P1Al0dm-FfXY_LsS_2bC-0nFwXvdqpM9wJZY');
  });

  it('the site bound is the checked origin the phone showed, or nothing', () => {
    expect(boundSite({ origin: site })).toBe(site);
    expect(boundSite({})).toBe('');
  });

  it('refuses an id, nonce or site that could add a line (the encoding would stop being unambiguous)', () => {
    const valid = { requestId, nonce, site, typedNumber: 42, decision: 'approve' as const };
    expect(() => canonicalApproval({ ...valid, requestId: 'Req_1-a\n43' })).toThrow('base64url');
    expect(() => canonicalApproval({ ...valid, nonce: 'n0nce=' })).toThrow('base64url');
    expect(() => canonicalApproval({ ...valid, nonce: '' })).toThrow('base64url');
    expect(() => canonicalApproval({ ...valid, site: `${site}\n43` })).toThrow('origin');
    expect(() => canonicalApproval({ ...valid, site: `${site}/path` })).toThrow('origin');
  });
});
