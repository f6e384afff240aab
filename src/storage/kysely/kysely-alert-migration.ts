// Migration 0015: alerting — instance states, their transition history, the notification outbox, the
// read positions of event feeds, and the evaluator lease shared by every server instance.
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

function tenantOwned<T extends string>(table: CreateTableBuilder<T, never>) {
  return table.addColumn('tenant_id', 'text', (c) =>
    c.notNull().references('tenants.id').onDelete('cascade'),
  );
}

export function alertsSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await tenantOwned(db.schema.createTable('alert_states'))
        .addColumn('alert', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text')
        .addColumn('active_since', ddl.millis)
        .addColumn('fired_at', ddl.millis)
        .addColumn('last_notified_at', ddl.millis)
        .addColumn('resolved_at', ddl.millis)
        .addColumn('value', 'double precision')
        .addColumn('updated_at', ddl.millis, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_states_pk', ['tenant_id', 'alert', 'scope'])
        .execute();

      await ddl
        .serialSeq(db.schema.createTable('alert_history'))
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('alert', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text')
        .addColumn('from_status', 'text', (c) => c.notNull())
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision')
        .addColumn('at', ddl.millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('alert_history_tenant_idx')
        .on('alert_history')
        .columns(['tenant_id', 'alert', 'seq'])
        .execute();

      await tenantOwned(db.schema.createTable('alert_deliveries'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('notification', ddl.json, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', ddl.millis)
        .addColumn('lease_until', ddl.millis)
        .addColumn('last_error', 'text')
        .addColumn('created_at', ddl.millis, (c) => c.notNull())
        .addColumn('delivered_at', ddl.millis)
        .addColumn('failed_at', ddl.millis)
        .addPrimaryKeyConstraint('alert_deliveries_pk', ['tenant_id', 'id'])
        .execute();
      // Every instance polls for due deliveries every second.
      await db.schema
        .createIndex('alert_deliveries_due_idx')
        .on('alert_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('alert_deliveries_tenant_idx')
        .on('alert_deliveries')
        .columns(['tenant_id', 'created_at'])
        .execute();

      await tenantOwned(db.schema.createTable('alert_cursors'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('seq', ddl.millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_cursors_pk', ['tenant_id', 'name'])
        .execute();

      await db.schema
        .createTable('alert_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', ddl.millis, (c) => c.notNull())
        .execute();
    },
  };
}
