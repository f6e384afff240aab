// Migration 0002: the audit log — records, one chain head per tenant, retention checkpoints.

import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

/**
 * No tenant foreign key: an audit event may concern a tenant the store does not know (a failed
 * authentication), and erasing a tenant's org must not silently erase its audit trail.
 * `context` is TEXT in both dialects: the canonical JSON exactly as hashed, never re-encoded by JSONB.
 * seq is BIGINT-sized (`ddl.millis`): a busy tenant can pass 2^31 records.
 */
export function auditLogSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_records')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('seq', ddl.millis, (c) => c.notNull())
        .addColumn('timestamp', ddl.millis, (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('agent', 'text')
        .addColumn('session_id', 'text')
        .addColumn('bundle_revision', 'text')
        .addColumn('context', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_records_pk', ['tenant_id', 'seq'])
        .execute();
      // Export and retention select by time within a tenant.
      await db.schema
        .createIndex('audit_records_time_idx')
        .on('audit_records')
        .columns(['tenant_id', 'timestamp'])
        .execute();

      await db.schema
        .createTable('audit_heads')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('seq', ddl.millis, (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('seq', ddl.millis, (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ddl.millis, (c) => c.notNull())
        .addColumn('removed', ddl.millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_checkpoints_pk', ['tenant_id', 'seq'])
        .execute();
    },
  };
}
