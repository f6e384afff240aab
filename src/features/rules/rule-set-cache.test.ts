import { describe, expect, it } from 'vitest';
import type { RuleContext } from '../../core/rules/compose-rule-context.ts';
import { RuleSetCache } from './rule-set-cache.ts';

const settings = { enabled: true, ttl_seconds: 60, max_size_mb: 1 };
const text = (n: number): RuleContext => ({ text: 'x'.repeat(n), loaded: [], omitted: [] });

describe('RuleSetCache', () => {
  it('composes once per key until the TTL passes', () => {
    let now = 0;
    let composed = 0;
    const cache = new RuleSetCache(() => now);
    const compose = () => {
      composed++;
      return text(10);
    };
    cache.get('k', settings, compose);
    cache.get('k', settings, compose);
    expect(composed).toBe(1);
    now = 61_000;
    cache.get('k', settings, compose);
    expect(composed).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, entries: 1 });
  });

  it('never caches when disabled or with a TTL of zero', () => {
    let composed = 0;
    const cache = new RuleSetCache(() => 0);
    for (const s of [
      { ...settings, enabled: false },
      { ...settings, ttl_seconds: 0 },
    ]) {
      const compose = () => {
        composed++;
        return text(1);
      };
      cache.get('k', s, compose);
      cache.get('k', s, compose);
    }
    expect(composed).toBe(4);
    expect(cache.stats().entries).toBe(0);
  });

  it('stays within max_size_mb, dropping the least recently used first', () => {
    const cache = new RuleSetCache(() => 0);
    const big = 400 * 1024;
    cache.get('a', settings, () => text(big));
    cache.get('b', settings, () => text(big));
    cache.get('a', settings, () => text(big)); // a is now the most recent
    cache.get('c', settings, () => text(big));
    expect(cache.stats().entries).toBe(2);
    expect(cache.stats().bytes).toBeLessThanOrEqual(1024 * 1024);
    let recomposed = 0;
    const compose = () => {
      recomposed++;
      return text(big);
    };
    cache.get('a', settings, compose);
    expect(recomposed).toBe(0);
    cache.get('b', settings, compose);
    expect(recomposed).toBe(1);
  });
});
