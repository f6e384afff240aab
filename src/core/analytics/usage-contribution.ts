// What each gateway usage record adds to the rollups (counted once, when the record is first stored).
import type { UsageRecord } from '../../storage/usage-port.ts';
import { type RollupContribution, type RollupRow, rollupIncrements } from './rollup.ts';

export function usageContribution(r: UsageRecord): RollupContribution {
  return {
    at: r.at,
    dims: {
      business_unit: r.businessUnitId ?? '',
      team: r.teamId ?? '',
      user: r.principal.id,
      agent: '',
      model: r.model,
    },
    measures: {
      requests: 1,
      errors: r.status >= 400 ? 1 : 0,
      input_tokens: r.tokens.input,
      output_tokens: r.tokens.output,
      cache_read_tokens: r.tokens.cacheRead,
      cache_creation_tokens: r.tokens.cacheWrite5m + r.tokens.cacheWrite1h,
      cost_micro: r.costMicro,
      // Latency is fractional (performance.now()); the rollup columns are integers.
      request_ms: Math.round(r.latencyMs),
    },
  };
}

/** The rollup increments of a batch of usage records, per tenant. */
export function usageRollupsByTenant(records: readonly UsageRecord[]): Map<string, RollupRow[]> {
  const byTenant = new Map<string, RollupContribution[]>();
  for (const r of records) {
    const list = byTenant.get(r.tenantId) ?? [];
    list.push(usageContribution(r));
    byTenant.set(r.tenantId, list);
  }
  return new Map([...byTenant].map(([tenantId, list]) => [tenantId, rollupIncrements(list)]));
}
