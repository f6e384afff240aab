// The SQLite flavour of the shared migrations: INTEGER epoch ms, TEXT JSON, AUTOINCREMENT sequence.

import type { MigrationProvider } from 'kysely';
import { sql } from 'kysely';
import { createMigrationProvider } from '../kysely/kysely-migrations.ts';

export const sqliteMigrations: MigrationProvider = createMigrationProvider({
  millis: 'integer',
  json: 'text',
  // AUTOINCREMENT so a sequence number is never reused, even after rows are deleted.
  serialSeq: (table) => table.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()),
  // SQLite's INTEGER is 64-bit already.
  bigSerialSeq: (table) => table.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()),
  dayPartitioned: false,
  clustered: (table) => table.modifyEnd(sql`without rowid`),
});
