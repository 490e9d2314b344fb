import { describe, expect, it } from 'vitest';
import { approvalChallenge, canonicalApproval } from '../../shared/approvalChallenge';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * Known answers for the canonical approval (shared/approvalChallenge.ts), written from its definition:
 * the version tag, the request id, the nonce, the typed number in decimal digits (empty when none) and
 * the decision, joined by "\n" (0x0a), in UTF-8. Every character here is ASCII, so each is one byte:
 *
 *   "nod-approval-v1" = 6e 6f 64 2d 61 70 70 72 6f 76 61 6c 2d 76 31
 *   "Req_1-a"         = 52 65 71 5f 31 2d 61
 *   "n0nce-_Z"        = 6e 30 6e 63 65 2d 5f 5a
 *   "42"              = 34 32
 *   "approve"         = 61 70 70 72 6f 76 65
 *   "deny"            = 64 65 6e 79
 *
 * The challenge is SHA-256 of those bytes, base64url without padding. The digests below were computed
 * outside this code base, from the bytes above; a reviewer can repeat it with
 *   printf 'nod-approval-v1\nReq_1-a\nn0nce-_Z\n42\napprove' | sha256sum
 *   printf 'nod-approval-v1\nReq_1-a\nn0nce-_Z\n42\napprove' | openssl dgst -sha256 -binary | basenc --base64url
 * (and the same with '\n\ndeny' in place of '\n42\napprove').
 */
describe('the canonical approval, byte for byte', () => {
  const requestId = 'Req_1-a';
  const nonce = 'n0nce-_Z';

  it('an approval with the typed number 42', async () => {
    const binding = { requestId, nonce, typedNumber: 42, decision: 'approve' as const };
    expect(hex(canonicalApproval(binding))).toBe(
      [
        '6e6f642d617070726f76616c2d7631', // nod-approval-v1
        '0a',
        '5265715f312d61', // Req_1-a
        '0a',
        '6e306e63652d5f5a', // n0nce-_Z
        '0a',
        '3432', // 42
        '0a',
        '617070726f7665', // approve
      ].join(''),
    );
    // SHA-256 = 7daab7bdc3243c3543a4655d002d645ef8e0dbdff3bfb70cf263475aa1a3bafc
    expect(await approvalChallenge(binding)).toBe('faq3vcMkPDVDpGVdAC1kXvjg29_zv7cM8mNHWqGjuvw');
  });

  it('a denial without a typed number: the number line is empty', async () => {
    const binding = { requestId, nonce, typedNumber: null, decision: 'deny' as const };
    expect(hex(canonicalApproval(binding))).toBe(
      [
        '6e6f642d617070726f76616c2d7631', // nod-approval-v1
        '0a',
        '5265715f312d61', // Req_1-a
        '0a',
        '6e306e63652d5f5a', // n0nce-_Z
        '0a', // no number
        '0a',
        '64656e79', // deny
      ].join(''),
    );
    // SHA-256 = 6734c080016f6e16f6e8c36c4ade400c850449fcd6bc23e3f95330cd6b7e2e1e
    expect(await approvalChallenge(binding)).toBe('ZzTAgAFvbhb26MNsSt5ADIUESfzWvCPj-VMwzWt-Lh4');
  });

  it('refuses an id or nonce that could add a line (the encoding would stop being unambiguous)', () => {
    const valid = { requestId, nonce, typedNumber: 42, decision: 'approve' as const };
    expect(() => canonicalApproval({ ...valid, requestId: 'Req_1-a\n43' })).toThrow('base64url');
    expect(() => canonicalApproval({ ...valid, nonce: 'n0nce=' })).toThrow('base64url');
    expect(() => canonicalApproval({ ...valid, nonce: '' })).toThrow('base64url');
  });
});
