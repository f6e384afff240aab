// Migration 0010: the managed settings served to each user, and the checksum each session reports.
import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function machinesSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('settings_served')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('checksum', 'text', (c) => c.notNull())
        .addColumn('first_served', ddl.millis, (c) => c.notNull())
        .addColumn('last_served', ddl.millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('settings_served_pk', ['tenant_id', 'user_id', 'checksum'])
        .execute();
      await db.schema
        .createTable('session_reports')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('checksum', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('first_seen', ddl.millis, (c) => c.notNull())
        .addColumn('last_seen', ddl.millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('session_reports_pk', ['tenant_id', 'session_id'])
        .execute();
      await db.schema
        .createIndex('session_reports_seen_idx')
        .on('session_reports')
        .columns(['tenant_id', 'last_seen'])
        .execute();
    },
  };
}
