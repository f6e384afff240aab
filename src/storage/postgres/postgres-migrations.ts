// The PostgreSQL flavour of the shared migrations: BIGINT epoch ms, JSONB, an identity sequence.

import type { MigrationProvider } from 'kysely';
import { createMigrationProvider } from '../kysely/kysely-migrations.ts';

export const postgresMigrations: MigrationProvider = createMigrationProvider({
  millis: 'bigint',
  json: 'jsonb',
  // INTEGER (not BIGINT) so node-postgres returns a number; 2^31 activations is far beyond any deployment.
  serialSeq: (table) => table.addColumn('seq', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity()),
  // BIGINT: node-postgres returns it as a string, which the stores that use it convert.
  bigSerialSeq: (table) =>
    table.addColumn('seq', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity()),
  dayPartitioned: true,
  // PostgreSQL keeps no row order; the primary key's index serves the range scans.
  clustered: (table) => table,
});
