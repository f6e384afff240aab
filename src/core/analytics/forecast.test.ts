import { describe, expect, it } from 'vitest';
import { forecastSpend } from './forecast.ts';

const M = 1_000_000;

describe('forecastSpend', () => {
  it('adds the last complete days’ mean over the days left', () => {
    // November: 30 days. On the 11th at noon, ten full days of $10 and $4 so far today.
    const f = forecastSpend({
      amountUsd: 250,
      periodStart: new Date('2026-11-01T00:00:00Z'),
      periodEnd: new Date('2026-12-01T00:00:00Z'),
      now: new Date('2026-11-11T12:00:00Z'),
      dailyMicro: [...Array(10).fill(10 * M), 4 * M],
    });
    expect(f).toEqual({
      spent_usd: 104,
      trend_usd_per_day: 10,
      forecast_usd: 299, // 104 + 10 × 19.5 days
      variance_usd: 49,
      variance_pct: 19.6,
      exhausted_at: '2026-11-26T02:24:00.000Z', // 146 dollars left at 10 a day: 14.6 days
    });
  });

  it('uses only the last seven complete days, so a change of pace shows at once', () => {
    const f = forecastSpend({
      amountUsd: 1000,
      periodStart: new Date('2026-11-01T00:00:00Z'),
      periodEnd: new Date('2026-12-01T00:00:00Z'),
      now: new Date('2026-11-21T00:00:00Z'),
      dailyMicro: [...Array(13).fill(1 * M), ...Array(7).fill(20 * M), 0],
    });
    expect(f.trend_usd_per_day).toBe(20);
    expect(f.exhausted_at).toBeNull();
  });

  it('extrapolates today on the first day, and says when the budget is already spent', () => {
    const first = forecastSpend({
      amountUsd: 31,
      periodStart: new Date('2026-12-01T00:00:00Z'),
      periodEnd: new Date('2027-01-01T00:00:00Z'),
      now: new Date('2026-12-01T06:00:00Z'),
      dailyMicro: [0.5 * M],
    });
    expect(first.trend_usd_per_day).toBe(2);
    const spent = forecastSpend({
      amountUsd: 1,
      periodStart: new Date('2026-12-01T00:00:00Z'),
      periodEnd: new Date('2027-01-01T00:00:00Z'),
      now: new Date('2026-12-01T06:00:00Z'),
      dailyMicro: [2 * M],
    });
    expect(spent.exhausted_at).toBe('2026-12-01T06:00:00.000Z');
  });
});
