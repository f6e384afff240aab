// Migration 0003: the sessions table behind SessionStore.
import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function sessionsSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sessions')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('agent', 'text')
        .addColumn('cwd', 'text')
        .addColumn('started_at', ddl.millis, (c) => c.notNull())
        .addColumn('ended_at', ddl.millis)
        .addColumn('tool_calls', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_seen_at', ddl.millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('sessions_pk', ['tenant_id', 'id'])
        .execute();
      // Daily session counts scan one tenant's recent starts.
      await db.schema
        .createIndex('sessions_started_idx')
        .on('sessions')
        .columns(['tenant_id', 'started_at'])
        .execute();
    },
  };
}
