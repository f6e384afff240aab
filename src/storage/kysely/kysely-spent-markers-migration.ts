// Migration 0012: one-time markers (a SAML assertion's or request's id, a sign-in ticket) spent once
// across every instance, each kept until the thing it marks could no longer be presented.
import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './kysely-migrations.ts';

export function spentMarkersSchema(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('spent_markers')
        .addColumn('marker', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', ddl.millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('spent_markers_expiry_idx')
        .on('spent_markers')
        .column('expires_at')
        .execute();
    },
  };
}
