// Migration 0017: tool use per UTC day by (business unit, team, user, tool), from Claude Code's telemetry:
// which tools are adopted, refused and failing (the main rollups carry no tool dimension).
import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function toolRollupsSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await ddl
        .clustered(
          db.schema
            .createTable('tool_rollups_day')
            .addColumn('tenant_id', 'text', (c) => c.notNull())
            .addColumn('bucket', ddl.millis, (c) => c.notNull())
            .addColumn('business_unit', 'text', (c) => c.notNull())
            .addColumn('team', 'text', (c) => c.notNull())
            .addColumn('user', 'text', (c) => c.notNull())
            .addColumn('tool', 'text', (c) => c.notNull())
            .addColumn('decisions', 'bigint', (c) => c.notNull().defaultTo(0))
            .addColumn('rejects', 'bigint', (c) => c.notNull().defaultTo(0))
            .addColumn('results', 'bigint', (c) => c.notNull().defaultTo(0))
            .addColumn('failures', 'bigint', (c) => c.notNull().defaultTo(0))
            .addColumn('tool_ms', 'bigint', (c) => c.notNull().defaultTo(0))
            .addPrimaryKeyConstraint('tool_rollups_day_pk', [
              'tenant_id',
              'bucket',
              'business_unit',
              'team',
              'user',
              'tool',
            ]),
        )
        .execute();
    },
  };
}
