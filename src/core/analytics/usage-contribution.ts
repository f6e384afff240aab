// What each gateway usage record adds to the rollups (counted once, when the record is first stored).
import type { UsageRow } from '../../storage/usage-row.ts';
import {
  bucketStart,
  type Measures,
  type RollupContribution,
  type RollupRow,
  rollupIncrements,
} from './rollup.ts';

/** The columns of a usage row the rollups read. */
export type UsageRollupSource = Pick<
  UsageRow,
  | 'tenant_id'
  | 'at'
  | 'business_unit_id'
  | 'team_id'
  | 'principal_id'
  | 'model'
  | 'status'
  | 'input_tokens'
  | 'output_tokens'
  | 'cache_read_tokens'
  | 'cache_write_5m_tokens'
  | 'cache_write_1h_tokens'
  | 'cost_micro'
  | 'latency_ms'
>;

type UsageMeasures = Pick<
  Measures,
  | 'requests'
  | 'errors'
  | 'input_tokens'
  | 'output_tokens'
  | 'cache_read_tokens'
  | 'cache_creation_tokens'
  | 'cost_micro'
  | 'request_ms'
>;

/** The rows of one tenant, minute and set of dimensions, summed. */
interface MinuteGroup {
  tenantId: string;
  minute: number;
  businessUnit: string;
  team: string;
  user: string;
  model: string;
  measures: UsageMeasures;
}

/**
 * The rollup increments of a batch of usage rows, per tenant. This runs for every stored record (on the
 * SQLite writer thread, beside the gateway): the rows are first summed per tenant, minute and dimensions,
 * and only those sums go through `rollupIncrements` for the three granularities (a minute lies within one
 * hour and one day). A busy gateway's batch holds runs of one caller's requests, so a row is compared with
 * the group before it, field by field, before a key string is built for it.
 */
export function usageRollupsByTenant(rows: readonly UsageRollupSource[]): Map<string, RollupRow[]> {
  const groups = new Map<string, MinuteGroup>();
  let last: MinuteGroup | undefined;
  for (const r of rows) {
    const minute = bucketStart(r.at, 'minute');
    const businessUnit = r.business_unit_id ?? '';
    const team = r.team_id ?? '';
    let group = last;
    if (
      group?.minute !== minute ||
      group.tenantId !== r.tenant_id ||
      group.user !== r.principal_id ||
      group.model !== r.model ||
      group.team !== team ||
      group.businessUnit !== businessUnit
    ) {
      const key = `${r.tenant_id}\u0000${minute}\u0000${businessUnit}\u0000${team}\u0000${r.principal_id}\u0000${r.model}`;
      group = groups.get(key);
      if (!group) {
        group = {
          tenantId: r.tenant_id,
          minute,
          businessUnit,
          team,
          user: r.principal_id,
          model: r.model,
          measures: {
            requests: 0,
            errors: 0,
            input_tokens: 0,
            output_tokens: 0,
            cache_read_tokens: 0,
            cache_creation_tokens: 0,
            cost_micro: 0,
            request_ms: 0,
          },
        };
        groups.set(key, group);
      }
      last = group;
    }
    const m = group.measures;
    m.requests += 1;
    if (r.status >= 400) m.errors += 1;
    m.input_tokens += r.input_tokens;
    m.output_tokens += r.output_tokens;
    m.cache_read_tokens += r.cache_read_tokens;
    m.cache_creation_tokens += r.cache_write_5m_tokens + r.cache_write_1h_tokens;
    m.cost_micro += r.cost_micro;
    m.request_ms += r.latency_ms;
  }
  const byTenant = new Map<string, RollupContribution[]>();
  for (const g of groups.values()) {
    const list = byTenant.get(g.tenantId) ?? [];
    list.push({
      at: new Date(g.minute),
      dims: { business_unit: g.businessUnit, team: g.team, user: g.user, agent: '', model: g.model },
      measures: g.measures,
    });
    byTenant.set(g.tenantId, list);
  }
  return new Map([...byTenant].map(([tenantId, list]) => [tenantId, rollupIncrements(list)]));
}
