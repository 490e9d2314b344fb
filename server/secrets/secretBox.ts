import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The keys that seal the secrets the relay must read back (TOTP seeds, OIDC client secrets) in
 * its storage: AES-256-GCM, each sealed value carrying the id of its key, so a key can be rotated.
 * They live in `<dataDir>/keys/secrets.json` (mode 0600) beside the relay's other keys, never in
 * the database: a copy of the database alone (a backup, a dump, a stolen disk image of the
 * PostgreSQL server) holds no seed in clear. The last key of the file seals; every key opens.
 */
interface SecretsKeyFile {
  keys: { kid: string; key: string; createdAt: string }[];
}

const prefix = 'nod-sealed:v1:';
const sealedPattern = /^nod-sealed:v1:([A-Za-z0-9_-]+):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]+)$/;

export class SecretBox {
  private keys = new Map<string, Buffer>();
  private currentKid = '';

  constructor(private readonly file: string) {
    this.load();
  }

  /** The id of the key that seals. */
  get keyId(): string {
    return this.currentKid;
  }

  private load(): void {
    const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as SecretsKeyFile;
    if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error(`${this.file} holds no key`);
    this.keys = new Map(parsed.keys.map((k) => [k.kid, Buffer.from(k.key, 'base64url')]));
    for (const [kid, key] of this.keys) if (key.length !== 32) throw new Error(`${this.file}: key ${kid} is not 32 bytes`);
    this.currentKid = parsed.keys[parsed.keys.length - 1].kid;
  }

  /**
   * Seal `plain` under the current key. `context` names the row it belongs in (its additional
   * authenticated data), so a sealed value moved into another row does not open.
   */
  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKid)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${prefix}${this.currentKid}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
  }

  /** Open a sealed value; a value stored in clear before sealing existed is returned as it is. */
  open(stored: string, context: string): string {
    if (!stored.startsWith(prefix)) return stored;
    const match = sealedPattern.exec(stored);
    if (!match) throw new Error('a sealed secret is damaged');
    const [, kid, iv, sealed] = match;
    // Another relay (or `nod admin secrets rotate-key`) may have added a key since this one read the file.
    if (!this.keys.has(kid)) this.load();
    const key = this.keys.get(kid);
    if (!key) throw new Error(`a secret is sealed with key ${kid}, which is not in ${this.file}`);
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
  }

  /** In clear, or sealed under a key that is no longer the current one: the start re-seals it. */
  needsSealing(stored: string): boolean {
    return !stored.startsWith(`${prefix}${this.currentKid}:`);
  }
}

const newKey = () => ({
  kid: randomBytes(6).toString('base64url'),
  key: randomBytes(32).toString('base64url'),
  createdAt: new Date().toISOString(),
});

/** The secrets key file of a data directory: made with one key on first start, read after. */
export function loadSecretBox(dataDir: string): SecretBox {
  const file = path.join(dataDir, 'keys', 'secrets.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      // 'wx' so two processes starting at once never overwrite each other's key.
      fs.writeFileSync(file, JSON.stringify({ keys: [newKey()] } satisfies SecretsKeyFile, null, 2), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return new SecretBox(file);
}

/**
 * Add a new key that seals from now on; the old ones stay to open what they sealed until the
 * secrets are re-sealed (every relay start does that). Written to a new file then renamed over
 * the old one, so a reader never sees half a file.
 */
export function rotateSecretsKey(dataDir: string): SecretBox {
  const file = path.join(dataDir, 'keys', 'secrets.json');
  loadSecretBox(dataDir);
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as SecretsKeyFile;
  const next = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(next, JSON.stringify({ keys: [...parsed.keys, newKey()] } satisfies SecretsKeyFile, null, 2), { mode: 0o600 });
  fs.renameSync(next, file);
  return new SecretBox(file);
}
