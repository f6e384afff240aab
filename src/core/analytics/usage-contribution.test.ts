import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../../storage/usage-row.ts';
import { type RollupRow, rollupIncrements } from './rollup.ts';
import { usageRollupsByTenant } from './usage-contribution.ts';

const T0 = Date.UTC(2026, 11, 6, 20, 58, 30);

function row(overrides: Partial<UsageRow>): UsageRow {
  return {
    tenant_id: 'acme',
    request_id: 'r',
    at: T0,
    principal_type: 'user',
    principal_id: 'alice',
    key_id: null,
    business_unit_id: 'eng',
    team_id: 'platform',
    session_id: null,
    agent_id: null,
    model: 'claude-sonnet-4-5',
    upstream: 'anthropic',
    status: 200,
    outcome: 'complete',
    stream: 1,
    input_tokens: 10,
    output_tokens: 20,
    cache_write_5m_tokens: 3,
    cache_write_1h_tokens: 4,
    cache_read_tokens: 5,
    cost_micro: 100,
    priced_as: null,
    price_version: 'v1',
    latency_ms: 7,
    ttfb_ms: null,
    ...overrides,
  };
}

/** The same rows counted one by one, each through rollupIncrements: what the grouping must equal. */
function oneByOne(rows: readonly UsageRow[], tenantId: string): RollupRow[] {
  return rollupIncrements(
    rows
      .filter((r) => r.tenant_id === tenantId)
      .map((r) => ({
        at: new Date(r.at),
        dims: {
          business_unit: r.business_unit_id ?? '',
          team: r.team_id ?? '',
          user: r.principal_id,
          agent: '',
          model: r.model,
        },
        measures: {
          requests: 1,
          errors: r.status >= 400 ? 1 : 0,
          input_tokens: r.input_tokens,
          output_tokens: r.output_tokens,
          cache_read_tokens: r.cache_read_tokens,
          cache_creation_tokens: r.cache_write_5m_tokens + r.cache_write_1h_tokens,
          cost_micro: r.cost_micro,
          request_ms: r.latency_ms,
        },
      })),
  );
}

const byKey = (rows: readonly RollupRow[]) =>
  [...rows].sort((a, b) =>
    `${a.granularity}${a.bucket}${a.user}${a.team}${a.business_unit}${a.model}`.localeCompare(
      `${b.granularity}${b.bucket}${b.user}${b.team}${b.business_unit}${b.model}`,
    ),
  );

describe('usageRollupsByTenant', () => {
  it('sums rows per tenant, bucket and dimensions as counting them one by one does', () => {
    const rows = [
      row({}),
      row({ principal_id: 'bob', status: 429, cost_micro: 0 }),
      row({ latency_ms: 9 }),
      // The next minute, the same hour and day.
      row({ at: T0 + 45_000, input_tokens: 1 }),
      // Back to the first minute after another group: found by key, not only as the group before.
      row({ at: T0 + 1_000, output_tokens: 2 }),
      // Each dimension changed alone, right after a row of the first group.
      row({ team_id: 'data' }),
      row({}),
      row({ business_unit_id: 'sales' }),
      row({}),
      row({ business_unit_id: null, team_id: null }),
      row({}),
      row({ model: 'claude-haiku-4-5' }),
      row({}),
      row({ tenant_id: 'globex' }),
      // The next hour and the next day.
      row({ at: Date.UTC(2026, 11, 7, 0, 0, 1) }),
      row({ tenant_id: 'globex', principal_id: 'carol' }),
    ];
    const sums = usageRollupsByTenant(rows);
    expect([...sums.keys()].sort()).toEqual(['acme', 'globex']);
    expect(byKey(sums.get('acme')!)).toEqual(byKey(oneByOne(rows, 'acme')));
    expect(byKey(sums.get('globex')!)).toEqual(byKey(oneByOne(rows, 'globex')));
  });

  it('counts an error, the cache writes of both lifetimes and the requests of a minute once each', () => {
    const rows = [row({}), row({ status: 500 }), row({})];
    const minute = usageRollupsByTenant(rows)
      .get('acme')!
      .find((r) => r.granularity === 'minute')!;
    expect(minute).toMatchObject({
      bucket: Date.UTC(2026, 11, 6, 20, 58),
      requests: 3,
      errors: 1,
      cache_creation_tokens: 21,
      cost_micro: 300,
      request_ms: 21,
      agent: '',
    });
  });
});
