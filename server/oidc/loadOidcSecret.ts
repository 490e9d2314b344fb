import { hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The secret behind the OIDC provider's cookie keys and the My Sign-ins session, kept in
 * `<dataDir>/keys/oidc.json` (mode 0600) beside the relay's other keys: made on first start,
 * reused after, so sessions survive a restart.
 */
export function loadOidcSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, 'keys', 'oidc.json');
  const read = () => Buffer.from((JSON.parse(fs.readFileSync(file, 'utf8')) as { secret: string }).secret, 'base64url');
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  try {
    // 'wx' so two processes starting at once never overwrite each other's secret.
    fs.writeFileSync(file, JSON.stringify({ secret: secret.toString('base64url') }, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return read();
    throw error;
  }
  return secret;
}

/** A key for one purpose and one tenant (HKDF-SHA256), so no two uses ever share a key. */
export function deriveKey(secret: Buffer, purpose: string, tenantId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.from(tenantId, 'utf8'), Buffer.from(`nod ${purpose}`, 'utf8'), 32));
}
