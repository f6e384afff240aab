import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedHeaders, type CapStanding } from './usage-limit-headers.ts';

const P = 'anthropic-ratelimit-unified-';

/** The headers as the protocol describes them, made afresh (what allowedHeaders gave before it remembered). */
function expected(cap: CapStanding): Record<string, string> {
  const used = cap.limitMicro <= 0 ? 1 : cap.spentMicro / cap.limitMicro;
  const status = used >= 0.75 ? 'allowed_warning' : 'allowed';
  const reset = String(Math.floor(cap.resetsAt.getTime() / 1000));
  return {
    [`${P}status`]: status,
    [`${P}representative-claim`]: 'overage',
    [`${P}overage-status`]: status,
    [`${P}overage-utilization`]: Math.min(Math.floor(used * 100) / 100, 0.99).toFixed(2),
    [`${P}reset`]: reset,
    [`${P}overage-reset`]: reset,
    ...(used >= 0.95
      ? { [`${P}overage-surpassed-threshold`]: '0.95' }
      : used >= 0.75
        ? { [`${P}overage-surpassed-threshold`]: '0.75' }
        : {}),
  };
}

describe('allowedHeaders', () => {
  it('reads as if made afresh for every standing, whatever came before it', () => {
    const standing = fc.record({
      spentMicro: fc.integer({ min: 0, max: 2_000_000 }),
      limitMicro: fc.oneof(fc.constant(0), fc.constant(1_000_000), fc.integer({ min: 1, max: 2_000_000 })),
      resetsAt: fc.constantFrom(new Date(Date.UTC(2026, 11, 8)), new Date(Date.UTC(2027, 0, 1))),
      period: fc.constant('monthly' as const),
      pooled: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(standing, { minLength: 1, maxLength: 20 }), (caps) => {
        for (const cap of caps) expect(allowedHeaders(cap)).toEqual(expected(cap));
      }),
    );
  });

  it('gives the same headers again while they would read the same', () => {
    const resetsAt = new Date(Date.UTC(2026, 11, 8));
    const cap = { spentMicro: 100, limitMicro: 1_000_000, resetsAt, period: 'daily' as const, pooled: false };
    expect(allowedHeaders({ ...cap, spentMicro: 200 })).toBe(allowedHeaders(cap));
    expect(allowedHeaders({ ...cap, spentMicro: 800_000 })).not.toBe(allowedHeaders(cap));
  });
});
