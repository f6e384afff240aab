// The server's master key: encrypts what sign-in must keep secret at rest (the private keys that sign
// access tokens, IdP refresh tokens, the browser's sign-in cookie) with AES-256-GCM. It comes from
// LLM_RULES_MASTER_KEY; an embedded SQLite deployment without one gets a key file made in its data
// directory (readable by the server's user only). Every instance of a fleet must share it.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors/app-error.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const VERSION = 'v1';
export const MASTER_KEY_FILE = 'master.key';

export class MasterKey {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error('a master key is 32 bytes');
    this.#key = key;
  }

  static random(): MasterKey {
    return new MasterKey(randomBytes(KEY_BYTES));
  }

  /**
   * `purpose` is bound to the ciphertext (as associated data), so a value encrypted for one use cannot be
   * passed off as another (a cookie as a signing key, say).
   */
  encrypt(plaintext: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /**
   * An HMAC-SHA256 of `data` under a key derived for `purpose` (HKDF), in base64url: credentials the server
   * can recognise again without storing them.
   */
  mac(data: string, purpose: string): string {
    const key = Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `llm-rules ${purpose}`, 32));
    return createHmac('sha256', key).update(data, 'utf8').digest('base64url');
  }

  /** The plaintext, or undefined when the value was not made by this key for this purpose. */
  decrypt(sealed: string, purpose: string): string | undefined {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  }
}

/** 32 bytes written as 64 hex digits or as base64 (`openssl rand -base64 32`). */
export function parseMasterKey(text: string): MasterKey {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (bytes.length !== KEY_BYTES) {
    throw new ConfigError(
      'LLM_RULES_MASTER_KEY must be 32 bytes, written as 64 hex digits or in base64 (openssl rand -base64 32).',
      { field: 'masterKey' },
    );
  }
  return new MasterKey(bytes);
}

/**
 * The configured key; else, for SQLite, the key file in the data directory (made on first use); else
 * undefined: a fleet over PostgreSQL must be given one key, or each instance would encrypt with its own.
 */
export async function loadMasterKey(options: {
  configured: string | undefined;
  dialect: 'memory' | 'sqlite' | 'postgres';
  dataDir: string | undefined;
}): Promise<MasterKey | undefined> {
  if (options.configured) return parseMasterKey(options.configured);
  if (options.dialect === 'memory') return MasterKey.random();
  if (options.dialect !== 'sqlite' || !options.dataDir) return undefined;
  const file = join(options.dataDir, MASTER_KEY_FILE);
  try {
    return parseMasterKey(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(options.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES).toString('base64');
  // `wx`: if another process made the file first, this write fails and that file is read instead.
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseMasterKey(await readFile(file, 'utf8'));
}
