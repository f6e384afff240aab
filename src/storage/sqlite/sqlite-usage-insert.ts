// Usage inserts (and the rollups they add) as prepared better-sqlite3 statements, for the writer thread's
// hot path: every gateway request writes a record, and building and compiling a multi-row Kysely INSERT for
// each small batch cost more than the rest of the thread's work together. Same rows and conflict rule as
// KyselyUsageStore.insert; the storage contract runs against both.

import type Database from 'better-sqlite3';
import { DIMENSIONS, MEASURES } from '../../core/analytics/rollup.ts';
import { usageRollupsByTenant } from '../../core/analytics/usage-contribution.ts';
import { ROLLUP_TABLE } from '../kysely/kysely-telemetry-store.ts';
import type { UsageRow } from '../usage-row.ts';

export type SqliteUsageInsert = (rows: readonly UsageRow[]) => void;

const ROLLUP_KEY = ['tenant_id', 'bucket', ...DIMENSIONS];
const rollupUpsert = (
  table: string,
) => `insert into ${table} (${[...ROLLUP_KEY, ...MEASURES].map((c) => `"${c}"`).join(', ')})
  values (${[...ROLLUP_KEY, ...MEASURES].map((c) => `@${c}`).join(', ')})
  on conflict (${ROLLUP_KEY.map((c) => `"${c}"`).join(', ')}) do update set
  ${MEASURES.map((m) => `"${m}" = ${table}."${m}" + excluded."${m}"`).join(', ')}`;

export function prepareSqliteUsageInsert(database: Database.Database): SqliteUsageInsert {
  let insert: Database.Statement | undefined;
  const upsertRollup = new Map<string, Database.Statement>();
  const insertAll = database.transaction((rows: readonly UsageRow[]) => {
    const fresh: UsageRow[] = [];
    for (const row of rows) {
      // The column list comes from the row mapper, so the two can never disagree; the values are bound by
      // position (a quarter cheaper than by name, measured), in the order of the row's keys.
      insert ??= database.prepare(
        `insert into usage_records (${Object.keys(row).join(', ')}) values (${Object.keys(row)
          .map(() => '?')
          .join(', ')}) on conflict (tenant_id, request_id) do nothing`,
      );
      if (insert.run(Object.values(row)).changes > 0) fresh.push(row);
    }
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
    if (rows.length > 0) insertAll.immediate(rows);
  };
}
