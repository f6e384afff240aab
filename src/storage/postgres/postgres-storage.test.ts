// Runs the storage contract against PostgreSQL (a random schema, dropped after) and checks PostgreSQL specifics.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors/app-error.ts';
import { bundle, orgSnapshot, sleep, telemetryEvent, waitUntil } from '../contract/contract-fixtures.ts';
import { runStorageContract } from '../contract/run-storage-contract.ts';
import { createStorage } from '../create-storage.ts';
import type { Storage } from '../ports.ts';
import { StorageNotReadyError } from '../storage-errors.ts';
import { postgresMigrations } from './postgres-migrations.ts';
import { bundleChannel } from './postgres-storage.ts';

const url = process.env.DATABASE_URL || undefined;
if (!url) console.warn('PostgreSQL tests skipped: DATABASE_URL is not set');

const schemas: string[] = [];
function freshSchema(): string {
  const schema = `llmr_test_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!url)('postgres', () => {
  afterAll(async () => {
    await admin(async (client) => {
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
  });

  const contractSchema = freshSchema();
  runStorageContract('postgres', () => createStorage({ databaseUrl: url!, postgresSchema: contractSchema }));

  describe('postgres storage', () => {
    const open = (schema: string) => createStorage({ databaseUrl: url!, postgresSchema: schema });

    it('keeps raw telemetry in one native partition per UTC day, made by whichever instance needs it first', async () => {
      const schema = freshSchema();
      const [first, second] = await Promise.all([open(schema), open(schema)]);
      await first.migrate();
      await first.org.sync('acme', orgSnapshot('acme'), new Date());
      const event = (at: string) => telemetryEvent({ at: new Date(at) });
      // Both instances write the first event of the same new day at once, then one writes the next day.
      await Promise.all([
        first.telemetry.ingest('acme', [event('2026-12-31T23:00:00Z')], []),
        second.telemetry.ingest('acme', [event('2026-12-31T23:30:00Z')], []),
      ]);
      await second.telemetry.ingest('acme', [event('2027-01-01T00:10:00Z')], []);
      const partitions = await admin(
        async (client) =>
          (
            await client.query(
              `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE i.inhparent = (quote_ident($1) || '.telemetry_events')::regclass ORDER BY c.relname`,
              [schema],
            )
          ).rows,
      );
      expect(partitions).toEqual([
        { relname: 'telemetry_events_20261231', bound: 'FOR VALUES FROM (20261231) TO (20270101)' },
        { relname: 'telemetry_events_20270101', bound: 'FOR VALUES FROM (20270101) TO (20270102)' },
      ]);
      const all = await first.telemetry.events('acme', {
        since: new Date('2026-12-01'),
        until: new Date('2027-02-01'),
      });
      expect(all).toHaveLength(3);
      await Promise.all([first.close(), second.close()]);
    });

    it('migrates once when two instances migrate the same schema at the same time', async () => {
      const schema = freshSchema();
      const [first, second] = await Promise.all([open(schema), open(schema)]);
      await expect(first.ping()).rejects.toBeInstanceOf(StorageNotReadyError);
      const applied = await Promise.all([first.migrate(), second.migrate()]);
      expect(applied.flat()).toEqual(Object.keys(await postgresMigrations.getMigrations()));
      await expect(second.ping()).resolves.toBeUndefined();
      await Promise.all([first.close(), second.close()]);
    });

    it('keeps schemas apart: tables and change notifications', async () => {
      const [xSchema, ySchema] = [freshSchema(), freshSchema()];
      const [x, y] = await Promise.all([open(xSchema), open(ySchema)]);
      await Promise.all([x.migrate(), y.migrate()]);
      const b = bundle();
      await x.bundles.put(b);
      expect(await y.bundles.get(b.revision)).toBeUndefined();
      const heardInY: string[] = [];
      const heardInX: string[] = [];
      y.bundles.onActiveChange((r) => heardInY.push(r));
      const other = await open(xSchema);
      other.bundles.onActiveChange((r) => heardInX.push(r));
      await sleep(300);
      await x.bundles.activate(b.revision, 'x', new Date());
      await waitUntil(() => heardInX.length > 0, 1000);
      await sleep(100);
      expect(heardInY).toEqual([]);
      await Promise.all([x.close(), y.close(), other.close()]);
    });

    it('reconnects its LISTEN connection when it is lost', async () => {
      const schema = freshSchema();
      const [writer, watcher] = await Promise.all([open(schema), open(schema)]);
      await writer.migrate();
      const heard: string[] = [];
      watcher.bundles.onActiveChange((r) => heard.push(r));
      await sleep(300);
      const killed = await admin(async (client) => {
        const { rowCount } = await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()',
          [`LISTEN "${bundleChannel(schema)}"`],
        );
        return rowCount;
      });
      expect(killed).toBe(1);
      await sleep(1500); // the reconnect delay, then LISTEN again
      const b = bundle();
      await writer.bundles.put(b);
      const started = Date.now();
      await writer.bundles.activate(b.revision, 'x', new Date());
      await waitUntil(() => heard.includes(b.revision), 2000);
      expect(Date.now() - started).toBeLessThan(1000);
      await Promise.all([writer.close(), watcher.close()]);
    });

    it('refuses a schema name that is not a plain identifier', async () => {
      await expect(createStorage({ databaseUrl: url!, postgresSchema: 'x"; drop' })).rejects.toBeInstanceOf(
        ValidationError,
      );
    });

    it('uses the schema for every pooled connection', async () => {
      const schema = freshSchema();
      const storage: Storage = await open(schema);
      await storage.migrate();
      const tables = await admin(async (client) =>
        (
          await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
            schema,
          ])
        ).rows.map((r) => r.table_name as string),
      );
      expect(tables).toEqual(
        expect.arrayContaining(['kysely_migration', 'tenants', 'api_keys', 'audit_records']),
      );
      await storage.close();
    });
  });
});
