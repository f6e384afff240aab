// Migration 0011: API keys' scopes (admin:read, admin:write); existing keys have none.
import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function keyScopesSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('api_keys').addColumn('scopes', ddl.json).execute();
    },
  };
}
