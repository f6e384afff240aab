// Migration 0005: usage_records, one row per metered gateway request.
import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function usageSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // Token counts and micro-dollars outgrow 32 bits: the dialect's 64-bit integer, as timestamps use.
      const int64 = ddl.millis;
      // No foreign key to tenants: spend is a financial record that must outlive an org change.
      await db.schema
        .createTable('usage_records')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('at', ddl.millis, (c) => c.notNull())
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text')
        .addColumn('business_unit_id', 'text')
        .addColumn('team_id', 'text')
        .addColumn('session_id', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('upstream', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('stream', 'integer', (c) => c.notNull())
        .addColumn('input_tokens', int64, (c) => c.notNull())
        .addColumn('output_tokens', int64, (c) => c.notNull())
        .addColumn('cache_write_5m_tokens', int64, (c) => c.notNull())
        .addColumn('cache_write_1h_tokens', int64, (c) => c.notNull())
        .addColumn('cache_read_tokens', int64, (c) => c.notNull())
        .addColumn('cost_micro', int64, (c) => c.notNull())
        .addColumn('priced_as', 'text')
        .addColumn('price_version', 'text', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('ttfb_ms', 'integer')
        .addPrimaryKeyConstraint('usage_records_pk', ['tenant_id', 'request_id'])
        .execute();
      // Spend by time within a tenant, and a session's spend.
      await db.schema
        .createIndex('usage_records_time_idx')
        .on('usage_records')
        .columns(['tenant_id', 'at'])
        .execute();
      await db.schema
        .createIndex('usage_records_session_idx')
        .on('usage_records')
        .columns(['tenant_id', 'session_id'])
        .execute();
    },
  };
}
