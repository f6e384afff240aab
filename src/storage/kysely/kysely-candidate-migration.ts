// Migration 0004: the candidate bundle (shadow or canary) tried beside the active one.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function bundleCandidateSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('bundle_candidate')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sqlOne()))
        .addColumn('revision', 'text', (c) => c.notNull().references('bundles.revision'))
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('percent', 'integer', (c) => c.notNull())
        .addColumn('set_by', 'text', (c) => c.notNull())
        .addColumn('set_at', ddl.millis, (c) => c.notNull())
        .execute();
    },
  };
}

/** At most one candidate at a time. */
function sqlOne() {
  return sql`id = 1`;
}
