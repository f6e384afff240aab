// Usage inserts (and the rollups they add) as prepared better-sqlite3 statements, for the writer thread's
// hot path: every gateway request writes a record, and building and compiling a multi-row Kysely INSERT for
// each small batch cost more than the rest of the thread's work together. Same rows and conflict rule as
// KyselyUsageStore.insert; the storage contract runs against both.

import type Database from 'better-sqlite3';
import { DIMENSIONS, MEASURES } from '../../core/analytics/rollup.ts';
import { type UsageRollupSource, usageRollupsByTenant } from '../../core/analytics/usage-contribution.ts';
import { ROLLUP_TABLE } from '../kysely/kysely-telemetry-store.ts';
import type { PackedUsageRows } from '../usage-row.ts';

export type SqliteUsageInsert = (rows: PackedUsageRows) => void;

const ROLLUP_KEY = ['tenant_id', 'bucket', ...DIMENSIONS];
const rollupUpsert = (
  table: string,
) => `insert into ${table} (${[...ROLLUP_KEY, ...MEASURES].map((c) => `"${c}"`).join(', ')})
  values (${[...ROLLUP_KEY, ...MEASURES].map((c) => `@${c}`).join(', ')})
  on conflict (${ROLLUP_KEY.map((c) => `"${c}"`).join(', ')}) do update set
  ${MEASURES.map((m) => `"${m}" = ${table}."${m}" + excluded."${m}"`).join(', ')}`;

/** The insert for one list of columns, and how to read a row's rollup columns from its values. */
interface ColumnsPrepared {
  insert: Database.Statement;
  rollupSource: (values: readonly unknown[]) => UsageRollupSource;
}

export function prepareSqliteUsageInsert(database: Database.Database): SqliteUsageInsert {
  const upsertRollup = new Map<string, Database.Statement>();
  // Prepared from the first batch's columns: they come from the row mapper (usageRow), the same for every
  // batch, so the column list and the values can never disagree.
  let prepared: ColumnsPrepared | undefined;
  const preparedFor = (columns: readonly string[]): ColumnsPrepared => {
    prepared ??= {
      // The values are bound by position (a quarter cheaper than by name, measured), in column order.
      insert: database.prepare(
        `insert into usage_records (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) on conflict (tenant_id, request_id) do nothing`,
      ),
      rollupSource: rollupSourceReader(columns),
    };
    return prepared;
  };
  const insertAll = database.transaction(({ columns, values }: PackedUsageRows) => {
    const { insert, rollupSource } = preparedFor(columns);
    // Rows are bound from their values as they came: making each an object again cost about as much as
    // its INSERT (4 µs a row, measured); only what the rollups read is taken out of a stored row.
    const fresh: UsageRollupSource[] = [];
    for (const row of values) if (insert.run(row).changes > 0) fresh.push(rollupSource(row));
    // Each record reaches the rollups once, with the insert that stored it (as KyselyUsageStore does).
    for (const [tenantId, increments] of usageRollupsByTenant(fresh)) {
      for (const { granularity, ...increment } of increments) {
        const table = ROLLUP_TABLE[granularity];
        let statement = upsertRollup.get(table);
        if (!statement) {
          statement = database.prepare(rollupUpsert(table));
          upsertRollup.set(table, statement);
        }
        statement.run({ tenant_id: tenantId, ...increment });
      }
    }
  });
  return (rows) => {
    if (rows.values.length > 0) insertAll.immediate(rows);
  };
}

/** Reads the columns the rollups sum from a row's values, by their positions in `columns` (found once). */
function rollupSourceReader(columns: readonly string[]): (values: readonly unknown[]) => UsageRollupSource {
  const at = (name: keyof UsageRollupSource): number => {
    const index = columns.indexOf(name);
    if (index === -1) throw new Error(`usage rows have no ${name} column`);
    return index;
  };
  const tenant = at('tenant_id');
  const time = at('at');
  const businessUnit = at('business_unit_id');
  const team = at('team_id');
  const principal = at('principal_id');
  const model = at('model');
  const status = at('status');
  const input = at('input_tokens');
  const output = at('output_tokens');
  const cacheRead = at('cache_read_tokens');
  const cacheWrite5m = at('cache_write_5m_tokens');
  const cacheWrite1h = at('cache_write_1h_tokens');
  const cost = at('cost_micro');
  const latency = at('latency_ms');
  // One object literal, so every row read has the same shape.
  return (v) =>
    ({
      tenant_id: v[tenant],
      at: v[time],
      business_unit_id: v[businessUnit],
      team_id: v[team],
      principal_id: v[principal],
      model: v[model],
      status: v[status],
      input_tokens: v[input],
      output_tokens: v[output],
      cache_read_tokens: v[cacheRead],
      cache_write_5m_tokens: v[cacheWrite5m],
      cache_write_1h_tokens: v[cacheWrite1h],
      cost_micro: v[cost],
      latency_ms: v[latency],
    }) as UsageRollupSource;
}
