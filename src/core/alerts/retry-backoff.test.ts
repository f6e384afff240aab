import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from './retry-backoff.ts';

describe('retryDelayMs', () => {
  it('doubles from the base up to the cap, with half of each delay jittered', () => {
    const policy = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 5_000 };
    const low = [1, 2, 3, 4, 5].map((n) => retryDelayMs(n, policy, () => 0));
    const high = [1, 2, 3, 4, 5].map((n) => retryDelayMs(n, policy, () => 0.999_999));
    expect(low).toEqual([500, 1_000, 2_000, 2_500, 2_500]);
    expect(high).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('gives up after the last attempt', () => {
    expect(retryDelayMs(8, DEFAULT_RETRY_POLICY, Math.random)).toBeUndefined();
    expect(retryDelayMs(7, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(225_000);
  });

  it('stays within [delay/2, delay] for any attempt and random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (attempt, r) => {
          const delay = retryDelayMs(attempt, DEFAULT_RETRY_POLICY, () => r)!;
          const full = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (attempt - 1),
          );
          return delay >= full / 2 && delay <= full;
        },
      ),
    );
  });
});
