// Usage inserts as one prepared better-sqlite3 statement, for the writer thread's hot path: every gateway
// request writes a record, and building and compiling a multi-row Kysely INSERT for each small batch cost
// more than the rest of the thread's work together. Same rows and conflict rule as KyselyUsageStore.insert;
// the storage contract runs against both.

import type Database from 'better-sqlite3';
import { usageRow } from '../kysely/kysely-usage-store.ts';
import type { UsageRecord } from '../usage-port.ts';

export type SqliteUsageInsert = (records: readonly UsageRecord[]) => void;

export function prepareSqliteUsageInsert(database: Database.Database): SqliteUsageInsert {
  let insert: Database.Statement | undefined;
  const insertAll = database.transaction((records: readonly UsageRecord[]) => {
    for (const record of records) {
      const row = usageRow(record);
      // The column list comes from the row mapper, so the two can never disagree.
      insert ??= database.prepare(
        `insert into usage_records (${Object.keys(row).join(', ')}) values (${Object.keys(row)
          .map((column) => `@${column}`)
          .join(', ')}) on conflict (tenant_id, request_id) do nothing`,
      );
      insert.run(row);
    }
  });
  return (records) => {
    if (records.length > 0) insertAll.immediate(records);
  };
}
