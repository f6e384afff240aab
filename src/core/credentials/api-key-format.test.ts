import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayKeyId, generateApiKey, KEY_ID_LENGTH, parseApiKey } from './api-key-format.ts';

const webRandom = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe('API key format', () => {
  it('generates keys of the form llmr_<id><secret>_<checksum> that parse back to their id', () => {
    const { id, plaintext } = generateApiKey(webRandom);
    expect(plaintext).toMatch(/^llmr_[0-9A-Za-z]{44}_[0-9A-Za-z]{6}$/);
    expect(id).toHaveLength(KEY_ID_LENGTH);
    expect(parseApiKey(plaintext)).toEqual({ id, checksumValid: true });
    expect(displayKeyId(id)).toBe(`llmr_${id}…`);
  });

  it('detects any single-character change offline through the checksum', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 200, maxLength: 200 }),
        fc.nat(43),
        fc.nat(61),
        (seed, pos, shift) => {
          let offset = 0;
          const random = (n: number) => {
            const out = new Uint8Array(n);
            for (let i = 0; i < n; i++) out[i] = seed[(offset++ * 7) % seed.length]! % 248;
            return out;
          };
          const { plaintext } = generateApiKey(random);
          const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
          const index = 5 + pos;
          const original = plaintext[index]!;
          const replaced = alphabet[(alphabet.indexOf(original) + 1 + (shift % 61)) % 62]!;
          const tampered = plaintext.slice(0, index) + replaced + plaintext.slice(index + 1);
          expect(parseApiKey(tampered)?.checksumValid).toBe(false);
        },
      ),
    );
  });

  it('rejects text that is not shaped like a key', () => {
    for (const text of ['', 'llmr_', 'sk-ant-123', 'llmr_abc_def', `llmr_${'a'.repeat(44)}_12345`]) {
      expect(parseApiKey(text)).toBeUndefined();
    }
  });

  it('produces distinct keys', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey(webRandom).plaintext));
    expect(keys.size).toBe(200);
  });
});
