// The rate counter contract, run against memory and (with REDIS_URL) Redis, two clients sharing it.

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryRateCounter } from './memory-rate-counter.ts';
import { type RateCounter, slidingWindow, WINDOW_MS } from './rate-counter.ts';
import { RedisRateCounter } from './redis-rate-counter.ts';

const REDIS_URL = process.env.REDIS_URL || undefined;
if (!REDIS_URL) console.warn('SKIPPED Redis rate counter: REDIS_URL is not set');

/** The start of a window, so a test knows where it is in the minute. */
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % WINDOW_MS);

describe('sliding window', () => {
  it('weights the previous minute by how much of it is still in the last 60 s', () => {
    expect(slidingWindow(0, 10, 1, 10, T0)).toMatchObject({ allowed: false });
    expect(slidingWindow(0, 10, 1, 10, T0 + WINDOW_MS / 2)).toEqual({ allowed: true, retryAfterMs: 0 });
    // 5 this minute + 10 × (1 − 0.25) = 12.5: one more fits only once the estimate is 9, at 60% of the minute.
    expect(slidingWindow(5, 10, 1, 10, T0 + WINDOW_MS / 4)).toEqual({ allowed: false, retryAfterMs: 21_000 });
    expect(slidingWindow(10, 0, 1, 10, T0 + 1000)).toEqual({ allowed: false, retryAfterMs: 59_000 });
  });
});

const counters: [string, boolean, () => [RateCounter, RateCounter]][] = [
  [
    'memory',
    true,
    () => {
      const one = new MemoryRateCounter();
      return [one, one];
    },
  ],
  [
    'Redis (two clients)',
    Boolean(REDIS_URL),
    () => [new RedisRateCounter(REDIS_URL!), new RedisRateCounter(REDIS_URL!)],
  ],
];

for (const [name, enabled, make] of counters) {
  describe.skipIf(!enabled)(`rate counter: ${name}`, () => {
    it('takes up to the limit within a minute, shared by every client, then refuses', async () => {
      const [a, b] = make();
      const key = `t-${randomUUID()}`;
      try {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).take(key, 1, 5, T0 + 10)),
        );
        expect(results.filter((r) => r.allowed)).toHaveLength(5);
        expect(results.find((r) => !r.allowed)!.retryAfterMs).toBeGreaterThan(0);
        // Two minutes on, the window is empty again.
        expect((await a.take(key, 5, 5, T0 + 2 * WINDOW_MS)).allowed).toBe(true);
      } finally {
        await a.close();
        if (b !== a) await b.close();
      }
    });

    it('corrects a count with add, negative amounts included', async () => {
      const [a, b] = make();
      const key = `t-${randomUUID()}`;
      try {
        expect((await a.take(key, 900, 1000, T0)).allowed).toBe(true);
        expect((await b.take(key, 200, 1000, T0)).allowed).toBe(false);
        await b.add(key, -500, T0);
        expect((await a.take(key, 200, 1000, T0)).allowed).toBe(true);
      } finally {
        await a.close();
        if (b !== a) await b.close();
      }
    });

    it('holds at most `limit` concurrent slots, frees them on release and when their lease ends', async () => {
      const [a, b] = make();
      const key = `c-${randomUUID()}`;
      try {
        const first = await a.acquire(key, 2, 1000, T0);
        const second = await b.acquire(key, 2, 1000, T0);
        expect(first && second).toBeTruthy();
        expect(await a.acquire(key, 2, 1000, T0)).toBeUndefined();
        await b.release(key, first!);
        expect(await a.acquire(key, 2, 1000, T0)).toBeTruthy();
        expect(await b.acquire(key, 2, 1000, T0 + 500)).toBeUndefined();
        expect(await b.acquire(key, 2, 1000, T0 + 1001)).toBeTruthy();
      } finally {
        await a.close();
        if (b !== a) await b.close();
      }
    });
  });
}
