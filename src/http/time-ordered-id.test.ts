import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './time-ordered-id.ts';

describe('timeOrderedId', () => {
  it('is a version-7 UUID whose order follows time, unique within a millisecond', () => {
    const ids = [timeOrderedId(1_000), timeOrderedId(1_001), timeOrderedId(1_001), timeOrderedId(2 ** 40)];
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]! < ids[1]!).toBe(true);
    expect(ids[2]! < ids[3]!).toBe(true);
    expect(ids[1]).not.toBe(ids[2]);
    expect(timeOrderedId(0xaabbccddeeff).startsWith('aabbccdd-eeff-7')).toBe(true);
    // The time part of the last millisecond is reused only for that millisecond.
    expect(timeOrderedId(0x112233445566).startsWith('11223344-5566-7')).toBe(true);
    expect(timeOrderedId(0xaabbccddeeff).startsWith('aabbccdd-eeff-7')).toBe(true);
  });
});

describe('timeOrderedId, many at once', () => {
  it('stays a version-7 UUID with its variant, and unique, across many pools of random bytes', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5_000; i++) ids.add(timeOrderedId(1_700_000_000_000));
    expect(ids.size).toBe(5_000);
    const variants = new Set<string>();
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      variants.add(id[19]!);
    }
    expect([...variants].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});
