import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionHolds, formatMetricValue, parseAlertCondition } from './alert-condition.ts';
import { alertTiming, durationMs } from './alert-timing.ts';

const parsed = (text: string) => {
  const result = parseAlertCondition(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.condition;
};

describe('parseAlertCondition', () => {
  it("reads the guide's conditions: percentages as fractions, dollars as dollars", () => {
    expect(parsed('context_usage > 90%')).toEqual({
      metric: 'context_usage',
      operator: '>',
      threshold: 0.9,
      unit: 'percent',
    });
    expect(parsed('error_rate >= 5%')).toMatchObject({ operator: '>=', threshold: 0.05 });
    expect(parsed('daily_cost > $100.50')).toEqual({
      metric: 'daily_cost',
      operator: '>',
      threshold: 100.5,
      unit: 'usd',
    });
    expect(parsed('  gateway.p95_latency_ms<=250 ')).toEqual({
      metric: 'gateway.p95_latency_ms',
      operator: '<=',
      threshold: 250,
      unit: 'number',
    });
  });

  it('refuses what it cannot read, saying how to write it', () => {
    expect(parseAlertCondition('daily_cost over 100')).toEqual({
      ok: false,
      error: {
        message: 'invalid alert condition "daily_cost over 100"',
        hint: 'write <metric> <op> <number>, e.g. "context_usage > 90%", "daily_cost > $100"',
      },
    });
    expect(parseAlertCondition('daily_cost > $5%')).toMatchObject({
      ok: false,
      error: { message: 'a condition value cannot be both dollars and a percentage: "daily_cost > $5%"' },
    });
    expect(parseAlertCondition('context_usage > 190%')).toMatchObject({ ok: false });
    expect(parseAlertCondition('x => 3')).toMatchObject({ ok: false });
  });
});

describe('conditionHolds', () => {
  it('compares with every operator, at and around the threshold', () => {
    const at = (op: string, value: number) => conditionHolds(parsed(`m ${op} 5`), value);
    expect([4, 5, 6].map((v) => at('>', v))).toEqual([false, false, true]);
    expect([4, 5, 6].map((v) => at('>=', v))).toEqual([false, true, true]);
    expect([4, 5, 6].map((v) => at('<', v))).toEqual([true, false, false]);
    expect([4, 5, 6].map((v) => at('<=', v))).toEqual([true, true, false]);
    expect([4, 5, 6].map((v) => at('==', v))).toEqual([false, true, false]);
    expect([4, 5, 6].map((v) => at('!=', v))).toEqual([true, false, true]);
  });

  it('a value and its negation: exactly one of > and <= holds, for any threshold and value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.double({ noNaN: true }), (threshold, value) => {
        const above = conditionHolds(parsed(`m > ${threshold}%`), value);
        const notAbove = conditionHolds(parsed(`m <= ${threshold}%`), value);
        return above !== notAbove;
      }),
    );
  });
});

describe('formatMetricValue', () => {
  it('writes a value the way its condition is written', () => {
    expect(formatMetricValue(0.0753, 'percent')).toBe('7.53%');
    expect(formatMetricValue(123.4, 'usd')).toBe('$123.40');
    expect(formatMetricValue(2 / 3, 'number')).toBe('0.6667');
  });
});

describe('alert timing', () => {
  it('reads for and renotify, with the 4h default and for: 0s firing at once', () => {
    expect(alertTiming({})).toEqual({ forMs: 0, renotifyMs: 4 * 3_600_000 });
    expect(alertTiming({ for: '5m', renotify: '1d' })).toEqual({ forMs: 300_000, renotifyMs: 86_400_000 });
    expect(alertTiming({ for: '0s' }).forMs).toBe(0);
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('5 minutes')).toBeNaN();
  });
});
