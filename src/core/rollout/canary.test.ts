import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canaryBucket, inCanary } from './canary.ts';

describe('canary selection', () => {
  it('is deterministic and monotone in the share', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (t, u, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(inCanary(t, u, low)).toBe(inCanary(t, u, low));
          if (inCanary(t, u, low)) expect(inCanary(t, u, high)).toBe(true);
        },
      ),
    );
    expect(inCanary('acme', 'alice@acme.test', 0)).toBe(false);
    expect(inCanary('acme', 'alice@acme.test', 100)).toBe(true);
  });

  it('spreads users evenly across buckets', () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) counts[Math.floor(canaryBucket('acme', `user${i}@acme.test`) / 10)]++;
    for (const count of counts) expect(count).toBeGreaterThan(850);
  });
});
