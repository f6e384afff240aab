import { describe, expect, it } from 'vitest';
import type { BudgetConfig, PolicyConfig } from '../../config/policy-config.ts';
import { rollupIncrements } from '../../core/analytics/rollup.ts';
import { createMemoryStorage } from '../../storage/memory/memory-storage.ts';
import { budgetForecasts } from './budget-forecasts.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const budget = (id: string, scope: BudgetConfig['scope']): BudgetConfig => ({
  id,
  scope,
  amount: 100,
  period: 'monthly',
  mode: 'pooled',
  alert_thresholds: [],
});
const content = {
  org: {
    tenant: { id: 'acme' },
    budgets: [
      budget('acme-total', { level: 'tenant' }),
      budget('laptop', { level: 'key', id: 'LaptopKey123' }),
      budget('engineers-pool', { level: 'group', id: 'engineers' }),
    ],
  },
  tenants: [],
} as unknown as PolicyConfig;

/** The forecasts of `content`'s budgets after $40 spent by one user of the tenant this month. */
async function forecastsAfterSpend() {
  const storage = createMemoryStorage();
  const dims = { business_unit: 'eng', team: 'web', user: 'ada@acme.test', agent: '', model: 'm' };
  await storage.telemetry.ingest(
    'acme',
    [],
    rollupIncrements([{ at: NOW, dims, measures: { requests: 1, cost_micro: 40_000_000 } }]),
  );
  return budgetForecasts(storage.telemetry, content, 'acme', NOW);
}

describe('budget forecasts', () => {
  it('lists a key budget without a forecast or a spend, never the tenant’s spend in its place', async () => {
    const [tenant, key] = await forecastsAfterSpend();
    expect(tenant).toMatchObject({ budget: 'acme-total', scope_spent_usd: 40, not_forecast: null });
    expect(tenant!.forecast?.spent_usd).toBe(40);
    expect(key).toEqual({
      budget: 'laptop',
      scope: 'key:LaptopKey123',
      mode: 'pooled',
      period: 'monthly',
      amount_usd: 100,
      period_start: '2026-12-01T00:00:00.000Z',
      period_end: '2027-01-01T00:00:00.000Z',
      forecast: null,
      scope_spent_usd: null,
      not_forecast: 'key',
    });
  });

  it('lists a group budget without a forecast or a spend: the rollups have no group dimension', async () => {
    const group = (await forecastsAfterSpend())[2];
    expect(group).toMatchObject({
      budget: 'engineers-pool',
      scope: 'group:engineers',
      forecast: null,
      scope_spent_usd: null,
      not_forecast: 'group',
    });
  });
});
