import { describe, expect, it } from 'vitest';
import { digestOf } from './sign-in-codes.ts';

describe('digestOf', () => {
  it('is the hex SHA-256 of the secret as UTF-8, as digests already stored were written', () => {
    // Computed independently: printf 'llmr_rt_é' | sha256sum
    expect(digestOf('llmr_rt_é')).toBe('215637808b808fc24e6e795b2cbc2cc22fcb08cca20c7917bfa9dc6b21387c6a');
  });
});
