// `daily_cost` from the gateway's usage records: US dollars spent since midnight UTC, for a whole tenant or one
// user. Business units and teams need the analytics rollups (no cheap query over raw records serves them).
import { periodWindow } from '../../core/budgets/budget-period.ts';
import type { UsageStore } from '../../storage/usage-port.ts';
import type { AlertMetricSource } from './alert-metric-source.ts';

const MICRO = 1_000_000;

export function usageMetricSource(usage: Pick<UsageStore, 'spend'>): AlertMetricSource {
  return {
    async value(metric, scope, tenantId, now) {
      if (metric !== 'daily_cost') return undefined;
      const since = periodWindow('daily', now).start;
      if (scope.level === 'tenant') return (await usage.spend(tenantId, { since })) / MICRO;
      if (scope.level === 'user' && scope.id) {
        const principal = { type: 'user' as const, id: scope.id.toLowerCase() };
        return (await usage.spend(tenantId, { since, principal })) / MICRO;
      }
      return undefined;
    },
  };
}
