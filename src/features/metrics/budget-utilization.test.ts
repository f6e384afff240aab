import { describe, expect, it } from 'vitest';
import { minimalPolicyConfig } from '../../../test/support/minimal-policy-config.ts';
import type { BudgetConfig, PolicyConfig } from '../../config/policy-config.ts';
import { manualClock } from '../../core/clock/clock.ts';
import { MemoryBudgetStore } from '../../storage/memory/memory-budget-store.ts';
import { MAX_BUDGET_SERIES, readUtilization } from './budget-utilization.ts';

const budget = (id: string, extra: Partial<BudgetConfig> = {}): BudgetConfig => ({
  id,
  scope: { level: 'tenant', id: 'acme' },
  amount: 100,
  period: 'monthly',
  mode: 'pooled',
  alert_thresholds: [],
  ...extra,
});

function withBudgets(budgets: BudgetConfig[]): PolicyConfig {
  const content = minimalPolicyConfig();
  return { ...content, org: { ...content.org, budgets } };
}

describe('readUtilization', () => {
  const clock = manualClock(new Date('2026-03-15T12:00:00Z'));
  const logger = { warn: () => {} };

  it('is settled spend in the current period over the amount, per pooled budget', async () => {
    const store = new MemoryBudgetStore();
    const content = withBudgets([
      budget('acme-total'),
      budget('platform', { scope: { level: 'team', id: 'platform' }, amount: 10, period: 'daily' }),
      budget('seats', { mode: 'per_seat' }),
      budget('alice', { scope: { level: 'user', id: 'alice@acme.test' } }),
      budget('laptop', { scope: { level: 'key', id: 'LaptopKey123' } }),
      // One counter its members share, like a team's pool; a group's seats are per person.
      budget('engineers', { scope: { level: 'group', id: 'engineers' } }),
      budget('engineer-seats', { scope: { level: 'group', id: 'engineers' }, mode: 'per_seat' }),
    ]);
    const now = clock.now();
    const charges = [
      { key: 'acme-total', periodStart: new Date('2026-03-01T00:00:00Z'), limitMicro: 100_000_000 },
      { key: 'platform', periodStart: new Date('2026-03-15T00:00:00Z'), limitMicro: 10_000_000 },
    ];
    const leaseUntil = new Date(now.getTime() + 60_000);
    await store.reserve({
      tenantId: 'acme',
      requestId: 'r1',
      charges,
      amountMicro: 9_000_000,
      now,
      leaseUntil,
    });
    await store.settle('acme', 'r1', charges, 2_500_000);
    // Held, not settled: not counted.
    await store.reserve({
      tenantId: 'acme',
      requestId: 'r2',
      charges,
      amountMicro: 5_000_000,
      now,
      leaseUntil,
    });

    const values = await readUtilization({
      bundle: { current: () => loaded(content) },
      budgets: store,
      clock,
      logger,
    });
    expect(values).toEqual([
      { labels: { tenant: 'acme', budget: 'acme-total', period: 'monthly' }, ratio: 0.025 },
      { labels: { tenant: 'acme', budget: 'platform', period: 'daily' }, ratio: 0.25 },
      { labels: { tenant: 'acme', budget: 'engineers', period: 'monthly' }, ratio: 0 },
    ]);
  });

  it('reads nothing without an active bundle, and at most MAX_BUDGET_SERIES budgets', async () => {
    const store = new MemoryBudgetStore();
    expect(
      await readUtilization({ bundle: { current: () => undefined }, budgets: store, clock, logger }),
    ).toEqual([]);
    const many = withBudgets(Array.from({ length: MAX_BUDGET_SERIES + 5 }, (_, i) => budget(`b${i}`)));
    const values = await readUtilization({
      bundle: { current: () => loaded(many) },
      budgets: store,
      clock,
      logger,
    });
    expect(values).toHaveLength(MAX_BUDGET_SERIES);
  });

  it('leaves out a tenant whose counters cannot be read, and says so', async () => {
    const warnings: string[] = [];
    const values = await readUtilization({
      bundle: { current: () => loaded(withBudgets([budget('acme-total')])) },
      budgets: { standings: () => Promise.reject(new Error('database down')) },
      clock,
      logger: { warn: (_obj: object, msg: string) => warnings.push(msg) },
    });
    expect(values).toEqual([]);
    expect(warnings).toEqual(['budget utilization could not be read for /metrics']);
  });
});

function loaded(content: PolicyConfig) {
  return { revision: 'r', content, loadedAt: new Date(0) };
}
