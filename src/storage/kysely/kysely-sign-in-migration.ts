// Migration 0009: device authorizations, sign-in sessions and the keys that sign access tokens.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function signInSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('device_authorizations')
        .addColumn('device_digest', 'text', (c) => c.primaryKey())
        .addColumn('user_code', 'text', (c) => c.notNull())
        .addColumn('surface', 'text')
        .addColumn('created_at', ddl.millis, (c) => c.notNull())
        .addColumn('expires_at', ddl.millis, (c) => c.notNull())
        .addColumn('interval_s', 'integer', (c) => c.notNull())
        .addColumn('last_polled_at', ddl.millis)
        .addColumn('status', 'text', (c) => c.notNull())
        // Set when approved; no foreign key, as an authorization outlives nothing of its tenant's.
        .addColumn('tenant_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('email', 'text')
        .addColumn('idp_groups', ddl.json)
        .addColumn('idp_refresh_token', 'text')
        .execute();
      // A user code names one pending authorization; the verification page looks it up.
      await db.schema
        .createIndex('device_authorizations_pending_code_idx')
        .on('device_authorizations')
        .column('user_code')
        .unique()
        .where(sql.ref('status'), '=', 'pending')
        .execute();

      await db.schema
        .createTable('sign_in_sessions')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('idp_groups', ddl.json, (c) => c.notNull())
        .addColumn('idp_refresh_token', 'text')
        .addColumn('surface', 'text')
        .addColumn('created_at', ddl.millis, (c) => c.notNull())
        .addColumn('refresh_digest', 'text', (c) => c.notNull())
        .addColumn('refreshed_at', ddl.millis, (c) => c.notNull())
        .addColumn('expires_at', ddl.millis, (c) => c.notNull())
        .addColumn('revoked_at', ddl.millis)
        .addPrimaryKeyConstraint('sign_in_sessions_pk', ['tenant_id', 'id'])
        .execute();
      // A refresh token is presented before its tenant is known.
      await db.schema
        .createIndex('sign_in_sessions_refresh_idx')
        .on('sign_in_sessions')
        .column('refresh_digest')
        .unique()
        .execute();
      await db.schema
        .createIndex('sign_in_sessions_user_idx')
        .on('sign_in_sessions')
        .columns(['tenant_id', 'user_id'])
        .execute();

      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', ddl.millis, (c) => c.notNull())
        .addColumn('retires_at', ddl.millis, (c) => c.notNull())
        .addColumn('expires_at', ddl.millis, (c) => c.notNull())
        .execute();
    },
  };
}
