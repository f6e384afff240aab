import { describe, expect, it } from 'vitest';
import type { PolicyConfig } from '../../config/policy-config.ts';
import { type RollupContribution, rollupIncrements } from '../../core/analytics/rollup.ts';
import { createMemoryStorage } from '../../storage/memory/memory-storage.ts';
import { rollupMetricSource } from './rollup-metric-source.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const dims = (team: string, user: string) => ({ business_unit: 'eng', team, user, agent: '', model: 'm' });
const content = {
  org: { tenant: { id: 'acme' } },
  tenants: [],
  config: { limits: { max_context_tokens: 1000 } },
} as unknown as PolicyConfig;

async function source(contributions: RollupContribution[]) {
  const storage = createMemoryStorage();
  await storage.telemetry.ingest('acme', [], rollupIncrements(contributions));
  return rollupMetricSource(storage.telemetry, () => content);
}

describe('alert metrics from the rollups', () => {
  it('answers daily cost per scope in dollars, and 0 for a quiet scope', async () => {
    const metrics = await source([
      {
        at: new Date('2026-12-06T09:00:00Z'),
        dims: dims('payments', 'erin'),
        measures: { requests: 1, cost_micro: 40_000_000 },
      },
      {
        at: new Date('2026-12-06T10:00:00Z'),
        dims: dims('platform', 'alice'),
        measures: { requests: 1, cost_micro: 2_500_000 },
      },
      // Yesterday does not count.
      {
        at: new Date('2026-12-05T23:00:00Z'),
        dims: dims('payments', 'erin'),
        measures: { requests: 1, cost_micro: 99_000_000 },
      },
    ]);
    expect(await metrics.value('daily_cost', { level: 'tenant' }, 'acme', NOW)).toBe(42.5);
    expect(await metrics.value('daily_cost', { level: 'team', id: 'payments' }, 'acme', NOW)).toBe(40);
    expect(await metrics.value('daily_cost', { level: 'business_unit', id: 'eng' }, 'acme', NOW)).toBe(42.5);
    expect(await metrics.value('daily_cost', { level: 'user', id: 'alice' }, 'acme', NOW)).toBe(2.5);
    expect(await metrics.value('daily_cost', { level: 'team', id: 'analytics' }, 'acme', NOW)).toBe(0);
  });

  it('answers rates as fractions over recent minutes, and nothing without traffic', async () => {
    const recent = new Date(NOW.getTime() - 5 * 60_000);
    const metrics = await source([
      {
        at: recent,
        dims: dims('payments', 'erin'),
        measures: { requests: 20, errors: 2, input_tokens: 9_000, tool_decisions: 10, tool_rejects: 1 },
      },
    ]);
    expect(await metrics.value('error_rate', { level: 'tenant' }, 'acme', NOW)).toBe(0.1);
    // 9,000 prompt tokens over 18 answered calls: 500 of a 1,000-token window.
    expect(await metrics.value('context_usage', { level: 'team', id: 'payments' }, 'acme', NOW)).toBe(0.5);
    expect(await metrics.value('rule_compliance', { level: 'tenant' }, 'acme', NOW)).toBe(0.9);
    expect(await metrics.value('error_rate', { level: 'team', id: 'platform' }, 'acme', NOW)).toBeUndefined();
    expect(
      await metrics.value('error_rate', { level: 'tenant' }, 'acme', new Date(NOW.getTime() + 3_600_000)),
    ).toBeUndefined();
    expect(await metrics.value('no_such_metric', { level: 'tenant' }, 'acme', NOW)).toBeUndefined();
  });
});
