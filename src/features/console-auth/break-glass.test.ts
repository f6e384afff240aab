import { describe, expect, it } from 'vitest';
import { BreakGlass, hashBreakGlassPassword, parseBreakGlassHash } from './break-glass.ts';

describe('break-glass password hash', () => {
  it('verifies the password it was made from, and nothing else', async () => {
    const hash = await hashBreakGlassPassword('a long enough emergency password');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain('emergency');
    const account = new BreakGlass(hash);
    expect(await account.verify('a long enough emergency password')).toBe(true);
    expect(await account.verify('a long enough emergency passwore')).toBe(false);
    expect(await account.verify('')).toBe(false);
    expect(await account.verify('x'.repeat(5_000))).toBe(false);
  });

  it('salts each hash', async () => {
    const password = 'the same password, twice over';
    expect(await hashBreakGlassPassword(password)).not.toBe(await hashBreakGlassPassword(password));
  });

  it('refuses a short password, and hashes that are not its own or too cheap', async () => {
    await expect(hashBreakGlassPassword('short')).rejects.toThrow(/at least 16/);
    const good = await hashBreakGlassPassword('a long enough emergency password');
    for (const bad of [
      'hunter2',
      good.replace('scrypt', 'bcrypt'),
      good.replace('$32768$', '$1024$'),
      good.replace('$32768$', '$30000$'),
      good.split('$').slice(0, 5).join('$'),
    ]) {
      expect(() => parseBreakGlassHash(bad)).toThrow(/LLM_RULES_BREAK_GLASS_HASH/);
    }
  });
});
