// Migration 0006: budget counters, the holds of requests in flight, and settled requests.
import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function budgetsSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const int64 = ddl.millis;
      await db.schema
        .createTable('budget_counters')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('budget_key', 'text', (c) => c.notNull())
        .addColumn('period_start', ddl.millis, (c) => c.notNull())
        .addColumn('spent_micro', int64, (c) => c.notNull())
        .addColumn('reserved_micro', int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('budget_counters_pk', ['tenant_id', 'budget_key', 'period_start'])
        .execute();
      await db.schema
        .createTable('budget_reservations')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('budget_key', 'text', (c) => c.notNull())
        .addColumn('period_start', ddl.millis, (c) => c.notNull())
        .addColumn('amount_micro', int64, (c) => c.notNull())
        .addColumn('lease_until', ddl.millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('budget_reservations_pk', [
          'tenant_id',
          'request_id',
          'budget_key',
          'period_start',
        ])
        .execute();
      // Expired holds are found per counter.
      await db.schema
        .createIndex('budget_reservations_counter_idx')
        .on('budget_reservations')
        .columns(['tenant_id', 'budget_key', 'period_start', 'lease_until'])
        .execute();
      await db.schema
        .createTable('budget_settlements')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('settled_at', ddl.millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('budget_settlements_pk', ['tenant_id', 'request_id'])
        .execute();
    },
  };
}

/** Migration 0007: which alert thresholds each budget counter has passed in its period. */
export function budgetThresholdsSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('budget_thresholds')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('budget_key', 'text', (c) => c.notNull())
        .addColumn('period_start', ddl.millis, (c) => c.notNull())
        .addColumn('threshold', 'real', (c) => c.notNull())
        .addColumn('passed_at', ddl.millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('budget_thresholds_pk', [
          'tenant_id',
          'budget_key',
          'period_start',
          'threshold',
        ])
        .execute();
    },
  };
}

/** Migration 0008: requests to raise a budget past its soft cap, and their decisions. */
export function budgetIncreasesSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('budget_increases')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('budget_id', 'text', (c) => c.notNull())
        .addColumn('counter_key', 'text', (c) => c.notNull())
        .addColumn('period_start', ddl.millis, (c) => c.notNull())
        .addColumn('amount_micro', ddl.millis, (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_at', ddl.millis, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', ddl.millis)
        .addColumn('expires_at', ddl.millis)
        .addColumn('note', 'text')
        .addPrimaryKeyConstraint('budget_increases_pk', ['tenant_id', 'id'])
        .execute();
      // The gateway reads a tenant's approved increases every few seconds.
      await db.schema
        .createIndex('budget_increases_status_idx')
        .on('budget_increases')
        .columns(['tenant_id', 'status', 'expires_at'])
        .execute();
    },
  };
}
