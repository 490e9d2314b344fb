import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt } from '../../server/pages/cookies';

describe('an encrypted cookie (the admin center session)', () => {
  const key = randomBytes(32);
  const session = { tenantId: 't1', userId: 'u1', expiresAt: 1 };

  it('reads back what was kept, and nothing under another key', () => {
    expect(decrypt(key, encrypt(key, session))).toEqual(session);
    expect(decrypt(randomBytes(32), encrypt(key, session))).toBeUndefined();
  });

  it('refuses a changed value, a cut one and a foreign one', () => {
    const raw = Buffer.from(encrypt(key, session), 'base64url');
    const changed = Buffer.from(raw);
    changed[raw.length - 1] ^= 1;
    expect(decrypt(key, changed.toString('base64url'))).toBeUndefined();
    expect(decrypt(key, raw.subarray(0, raw.length - 1).toString('base64url'))).toBeUndefined();
    expect(decrypt(key, raw.subarray(0, 16).toString('base64url'))).toBeUndefined();
    expect(decrypt(key, '')).toBeUndefined();
    expect(decrypt(key, 'not base64url at all!')).toBeUndefined();
  });
});
