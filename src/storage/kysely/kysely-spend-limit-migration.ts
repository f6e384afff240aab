// Migration 0013: spend limits set through the Anthropic-shaped admin API, one per (tenant, user, period).
import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function spendLimitsSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('spend_limits')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('amount_cents', ddl.millis)
        .addColumn('created_at', ddl.millis, (c) => c.notNull())
        .addColumn('updated_at', ddl.millis, (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('spend_limits_pk', ['tenant_id', 'id'])
        .addUniqueConstraint('spend_limits_user_period', ['tenant_id', 'user_id', 'period'])
        .execute();
    },
  };
}
