// The schema migrations, written once with Kysely's schema builder; each dialect supplies its column types.

import { type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { alertsSchema } from './kysely-alert-migration.ts';
import { auditLogSchema } from './kysely-audit-migration.ts';
import { budgetIncreasesSchema, budgetsSchema, budgetThresholdsSchema } from './kysely-budget-migration.ts';
import { bundleCandidateSchema } from './kysely-candidate-migration.ts';
import { keyScopesSchema } from './kysely-key-scopes-migration.ts';
import { machinesSchema } from './kysely-machine-migration.ts';
import { sessionsSchema } from './kysely-session-migration.ts';
import { sessionProjectSchema } from './kysely-session-project-migration.ts';
import { signInSchema } from './kysely-sign-in-migration.ts';
import { spendLimitsSchema } from './kysely-spend-limit-migration.ts';
import { spentMarkersSchema } from './kysely-spent-markers-migration.ts';
import { telemetrySchema } from './kysely-telemetry-migration.ts';
import { toolRollupsSchema } from './kysely-tool-rollups-migration.ts';
import { usageSchema } from './kysely-usage-migration.ts';

/** What differs between the dialects' DDL; everything else in a migration is shared. */
export interface DialectDdl {
  /** Epoch milliseconds: INTEGER (64-bit) in SQLite, BIGINT in PostgreSQL. */
  millis: 'integer' | 'bigint';
  /** TEXT in SQLite, JSONB in PostgreSQL. */
  json: 'text' | 'jsonb';
  /** An auto-incrementing INTEGER primary key named `seq`. */
  serialSeq<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'seq'>;
  /** The same as a 64-bit sequence, for tables that may outgrow 2^31 rows (telemetry events). */
  bigSerialSeq<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'seq'>;
  /** Whether day-stamped tables are natively partitioned by day (PostgreSQL), else kept in one table with a day index. */
  dayPartitioned: boolean;
  /** Rows stored in primary-key order where the dialect can (SQLite: WITHOUT ROWID), for range scans. */
  clustered<T extends string, C extends string>(table: CreateTableBuilder<T, C>): CreateTableBuilder<T, C>;
}

type Db = Kysely<unknown>;

function tenantFk<T extends string, C extends string>(table: CreateTableBuilder<T, C>, name: string) {
  // Cascade so a future tenant erasure (GDPR) removes everything the tenant owns in one statement.
  return table.addForeignKeyConstraint(`${name}_tenant_fk`, ['tenant_id'] as C[], 'tenants', ['id'], (fk) =>
    fk.onDelete('cascade'),
  );
}

function initialSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Db) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', ddl.millis, (c) => c.notNull())
        .execute();

      await tenantFk(
        db.schema
          .createTable('business_units')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('business_units_pk', ['tenant_id', 'id']),
        'business_units',
      ).execute();

      await tenantFk(
        db.schema
          .createTable('teams')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('business_unit_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('teams_pk', ['tenant_id', 'id']),
        'teams',
      ).execute();

      // Deprovisioned users keep their (possibly deleted) team id, so team_id has no foreign key.
      await tenantFk(
        db.schema
          .createTable('users')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('team_id', 'text')
          .addColumn('business_unit_id', 'text')
          .addColumn('roles', ddl.json, (c) => c.notNull())
          .addColumn('groups', ddl.json, (c) => c.notNull())
          .addColumn('deprovisioned_at', ddl.millis)
          .addPrimaryKeyConstraint('users_pk', ['tenant_id', 'id']),
        'users',
      ).execute();

      await tenantFk(
        db.schema
          .createTable('groups')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('idp_group', 'text', (c) => c.notNull())
          .addColumn('roles', ddl.json, (c) => c.notNull())
          .addPrimaryKeyConstraint('groups_pk', ['tenant_id', 'id']),
        'groups',
      ).execute();

      await tenantFk(
        db.schema
          .createTable('service_accounts')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('team_id', 'text')
          .addColumn('roles', ddl.json, (c) => c.notNull())
          .addColumn('deprovisioned_at', ddl.millis)
          .addPrimaryKeyConstraint('service_accounts_pk', ['tenant_id', 'id']),
        'service_accounts',
      ).execute();

      await tenantFk(
        db.schema
          .createTable('api_keys')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('principal_type', 'text', (c) => c.notNull())
          .addColumn('principal_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('created_at', ddl.millis, (c) => c.notNull())
          .addColumn('expires_at', ddl.millis)
          .addColumn('last_used_at', ddl.millis)
          .addColumn('revoked_at', ddl.millis)
          .addColumn('replaced_by', 'text')
          .addColumn('grace_until', ddl.millis)
          .addPrimaryKeyConstraint('api_keys_pk', ['tenant_id', 'id'])
          .addUniqueConstraint('api_keys_digest_unique', ['digest']),
        'api_keys',
      ).execute();
      // Authentication looks a key up by its public id before the tenant is known.
      await db.schema.createIndex('api_keys_id_idx').on('api_keys').column('id').execute();
      await db.schema
        .createIndex('api_keys_principal_idx')
        .on('api_keys')
        .columns(['tenant_id', 'principal_type', 'principal_id'])
        .execute();

      await db.schema
        .createTable('bundles')
        .addColumn('revision', 'text', (c) => c.primaryKey())
        .addColumn('content', ddl.json, (c) => c.notNull())
        .addColumn('created_at', ddl.millis, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();

      await ddl
        .serialSeq(db.schema.createTable('bundle_activations'))
        .addColumn('revision', 'text', (c) => c.notNull().references('bundles.revision'))
        .addColumn('previous_revision', 'text')
        .addColumn('applied_by', 'text', (c) => c.notNull())
        .addColumn('applied_at', ddl.millis, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('active_bundle')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('revision', 'text', (c) => c.references('bundles.revision'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addCheckConstraint('active_bundle_single_row', sql`id = 1`)
        .execute();
      // The pointer row always exists, so activation can lock it (SELECT ... FOR UPDATE) even the first time.
      await sql`insert into active_bundle (id, revision, seq) values (1, null, 0)`.execute(db);
    },
  };
}

/** Names sort in application order; never edit or rename a migration once released, add a new one. */
export function createMigrationProvider(ddl: DialectDdl): MigrationProvider {
  return {
    async getMigrations() {
      return {
        '0001_initial_schema': initialSchema(ddl),
        '0002_audit_log': auditLogSchema(ddl),
        '0003_sessions': sessionsSchema(ddl),
        '0004_bundle_candidate': bundleCandidateSchema(ddl),
        '0005_usage': usageSchema(ddl),
        '0006_budgets': budgetsSchema(ddl),
        '0007_budget_thresholds': budgetThresholdsSchema(ddl),
        '0008_budget_increases': budgetIncreasesSchema(ddl),
        '0009_sign_in': signInSchema(ddl),
        '0010_machines': machinesSchema(ddl),
        '0011_key_scopes': keyScopesSchema(ddl),
        '0012_spent_markers': spentMarkersSchema(ddl),
        '0013_spend_limits': spendLimitsSchema(ddl),
        '0014_session_project': sessionProjectSchema(),
        '0015_alerts': alertsSchema(ddl),
        '0016_telemetry': telemetrySchema(ddl),
        '0017_tool_rollups': toolRollupsSchema(ddl),
      };
    },
  };
}
