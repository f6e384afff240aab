// A usage record as the row every adapter stores: the Kysely store inserts it, the SQLite writer thread
// receives its values (packUsageRecords: cheaper to clone across threads than objects) and binds them in
// order, and the rollups are summed from it (on the thread, from the values: sqlite-usage-insert.ts).
import { toMillis } from './kysely/kysely-row-mappers.ts';
import type { UsageRecord } from './usage-port.ts';

export type UsageRow = ReturnType<typeof usageRow>;

/** The columns in this literal's order are the INSERT's: the writer thread binds each row's values in it. */
export function usageRow(r: UsageRecord) {
  return {
    tenant_id: r.tenantId,
    request_id: r.requestId,
    at: toMillis(r.at),
    principal_type: r.principal.type,
    principal_id: r.principal.id,
    key_id: r.keyId,
    business_unit_id: r.businessUnitId,
    team_id: r.teamId,
    session_id: r.sessionId,
    agent_id: r.agentId,
    model: r.model,
    upstream: r.upstream,
    status: r.status,
    outcome: r.outcome,
    stream: r.stream ? 1 : 0,
    input_tokens: r.tokens.input,
    output_tokens: r.tokens.output,
    cache_write_5m_tokens: r.tokens.cacheWrite5m,
    cache_write_1h_tokens: r.tokens.cacheWrite1h,
    cache_read_tokens: r.tokens.cacheRead,
    cost_micro: r.costMicro,
    priced_as: r.pricedAs,
    price_version: r.priceVersion,
    latency_ms: Math.round(r.latencyMs),
    ttfb_ms: r.ttfbMs === null ? null : Math.round(r.ttfbMs),
  };
}

/**
 * Rows as sent to the SQLite writer thread: the column names once a batch, then each row's values.
 * A structured clone writes every key of every object, and the keys were most of a row's cost on the
 * main thread (1.45 µs a row as objects, 0.54 µs as arrays of values, measured in isolation).
 */
export interface PackedUsageRows {
  columns: string[];
  values: unknown[][];
}

/**
 * Records packed for the writer thread straight from their fields: one array a record, where a row
 * object and then its values made two (about 600 bytes a request). The columns are the first row's
 * (one row object a batch); usageValues must list usageRow's values in its order, which
 * usage-row.test.ts checks.
 */
export function packUsageRecords(records: readonly UsageRecord[]): PackedUsageRows {
  const first = records[0];
  return { columns: first ? Object.keys(usageRow(first)) : [], values: records.map(usageValues) };
}

export function usageValues(r: UsageRecord): unknown[] {
  const t = r.tokens;
  return [
    r.tenantId,
    r.requestId,
    toMillis(r.at),
    r.principal.type,
    r.principal.id,
    r.keyId,
    r.businessUnitId,
    r.teamId,
    r.sessionId,
    r.agentId,
    r.model,
    r.upstream,
    r.status,
    r.outcome,
    r.stream ? 1 : 0,
    t.input,
    t.output,
    t.cacheWrite5m,
    t.cacheWrite1h,
    t.cacheRead,
    r.costMicro,
    r.pricedAs,
    r.priceVersion,
    Math.round(r.latencyMs),
    r.ttfbMs === null ? null : Math.round(r.ttfbMs),
  ];
}
