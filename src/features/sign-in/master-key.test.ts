import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { loadMasterKey, MASTER_KEY_FILE, MasterKey, parseMasterKey } from './master-key.ts';

describe('master key', () => {
  it('opens only what it sealed, for the same purpose, untouched', () => {
    const key = MasterKey.random();
    const sealed = key.encrypt('private jwk', 'signing-key');
    expect(sealed).not.toContain('private');
    expect(key.decrypt(sealed, 'signing-key')).toBe('private jwk');
    expect(key.decrypt(sealed, 'login-cookie')).toBeUndefined();
    expect(MasterKey.random().decrypt(sealed, 'signing-key')).toBeUndefined();
    const [version, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    const tampered = [version, iv, tag, flipped.toString('base64url')].join('.');
    expect(key.decrypt(tampered, 'signing-key')).toBeUndefined();
    expect(key.decrypt('not sealed', 'signing-key')).toBeUndefined();
  });

  it('reads 32 bytes as hex or base64 and names the variable otherwise', () => {
    const hex = 'ab'.repeat(32);
    const sealed = parseMasterKey(hex).encrypt('x', 'p');
    expect(parseMasterKey(Buffer.from(hex, 'hex').toString('base64')).decrypt(sealed, 'p')).toBe('x');
    expect(() => parseMasterKey('too-short')).toThrow(/LLM_RULES_MASTER_KEY must be 32 bytes/);
  });

  it('keeps a key file readable by its owner only in a SQLite data directory, made once', async () => {
    const dir = await tempDir();
    try {
      const data = join(dir.path, 'data');
      const first = await loadMasterKey({ configured: undefined, dialect: 'sqlite', dataDir: data });
      const second = await loadMasterKey({ configured: undefined, dialect: 'sqlite', dataDir: data });
      expect(second!.decrypt(first!.encrypt('x', 'p'), 'p')).toBe('x');
      expect((await stat(join(data, MASTER_KEY_FILE))).mode & 0o777).toBe(0o600);
      expect(
        await loadMasterKey({ configured: undefined, dialect: 'postgres', dataDir: undefined }),
      ).toBeUndefined();
    } finally {
      await dir.remove();
    }
  });
});
