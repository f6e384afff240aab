// Migration 0016: Claude Code telemetry events (by day, for pruning) and the usage rollups per
// minute, hour and day (a table each) that dashboards and the analytics API read.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function telemetrySchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // On PostgreSQL one native partition per UTC day (created as days arrive; see KyselyTelemetryStore),
      // so a day is pruned within its own partition; the key then has to include the day.
      const start = db.schema.createTable('telemetry_events');
      await (ddl.dayPartitioned
        ? start.addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
        : ddl.bigSerialSeq(start)
      )
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        // UTC day as YYYYMMDD: raw events are pruned and archived a day at a time.
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('at', ddl.millis, (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('business_unit_id', 'text')
        .addColumn('team_id', 'text')
        .addColumn('session_id', 'text')
        .addColumn('prompt_id', 'text')
        .addColumn('model', 'text')
        .addColumn('tool', 'text')
        .addColumn('decision', 'text')
        .addColumn('success', 'integer')
        .addColumn('input_tokens', 'integer', (c) => c.notNull())
        .addColumn('output_tokens', 'integer', (c) => c.notNull())
        .addColumn('cache_read_tokens', 'integer', (c) => c.notNull())
        .addColumn('cache_creation_tokens', 'integer', (c) => c.notNull())
        .addColumn('cost_micro', 'bigint', (c) => c.notNull())
        .addColumn('duration_ms', 'integer')
        .addColumn('value', 'double precision')
        .addColumn('gateway_metered', 'integer', (c) => c.notNull())
        .addColumn('attributes', ddl.json, (c) => c.notNull())
        .$call((table) =>
          ddl.dayPartitioned
            ? table
                .addPrimaryKeyConstraint('telemetry_events_pk', ['day', 'seq'])
                .modifyEnd(sql`partition by range (day)`)
            : table,
        )
        .execute();
      await db.schema
        .createIndex('telemetry_events_day_idx')
        .on('telemetry_events')
        .columns(['tenant_id', 'day', 'at'])
        .execute();
      // One table per granularity, so a month by day reads only day rows, in key order where the dialect
      // allows. No tenant foreign key: like usage_records, which feed these rows in the same transaction.
      for (const granularity of ['minute', 'hour', 'day'] as const) {
        await ddl
          .clustered(
            db.schema
              .createTable(`usage_rollups_${granularity}`)
              .addColumn('tenant_id', 'text', (c) => c.notNull())
              .addColumn('bucket', ddl.millis, (c) => c.notNull())
              .addColumn('business_unit', 'text', (c) => c.notNull())
              .addColumn('team', 'text', (c) => c.notNull())
              .addColumn('user', 'text', (c) => c.notNull())
              .addColumn('agent', 'text', (c) => c.notNull())
              .addColumn('model', 'text', (c) => c.notNull())
              .$call((table) => {
                let t = table;
                for (const measure of ROLLUP_MEASURE_COLUMNS)
                  t = t.addColumn(
                    measure,
                    measure === 'active_seconds' ? 'double precision' : 'bigint',
                    (c) => c.notNull().defaultTo(0),
                  );
                return t;
              })
              .addPrimaryKeyConstraint(`usage_rollups_${granularity}_pk`, [
                'tenant_id',
                'bucket',
                'business_unit',
                'team',
                'user',
                'agent',
                'model',
              ]),
          )
          .execute();
      }
    },
  };
}

/** Frozen here as they were when this migration was written (a later measure needs a new migration). */
export const ROLLUP_MEASURE_COLUMNS = [
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'cost_micro',
  'request_ms',
  'tool_decisions',
  'tool_rejects',
  'tool_results',
  'tool_failures',
  'tool_ms',
  'prompts',
  'sessions',
  'lines_added',
  'lines_removed',
  'active_seconds',
  'commits',
  'pull_requests',
] as const;
