// No API key plaintext reaches the database or the logs, on SQLite and on PostgreSQL: every table is
// dumped as text and every log line (at trace level) is searched for each key's secret part.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { DATABASE_URL } from './support/postgres.ts';
import { SQL_BACKENDS, type SqlBackend, type SqlDatabase } from './support/sql-backends.ts';
import { EXAMPLE_CONFIG } from './support/temp-dir.ts';

/** Everything the database holds, as text: SQLite's raw files (WAL included), PostgreSQL's rows. */
async function dumpDatabase(backend: SqlBackend, database: SqlDatabase): Promise<string> {
  if (backend.name === 'SQLite') {
    const files = await readdir(database.location);
    return (await Promise.all(files.map((f) => readFile(join(database.location, f), 'latin1')))).join('\n');
  }
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [database.location],
    );
    const rows = await Promise.all(
      tables.rows.map((t) =>
        client.query<{ row: string }>(
          `SELECT row_to_json(x)::text AS row FROM "${database.location}"."${t.table_name}" x`,
        ),
      ),
    );
    return rows.flatMap((r) => r.rows.map((row) => row.row)).join('\n');
  } finally {
    await client.end();
  }
}

for (const backend of SQL_BACKENDS) {
  describe.skipIf(!backend.enabled)(`API key plaintext on ${backend.name}`, () => {
    let server: ServerHandle;
    let database: SqlDatabase;
    const logs: string[] = [];

    beforeAll(async () => {
      database = await backend.create('plaintext');
      const sink = new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      });
      const options = resolveServerOptions([
        { name: 'test', values: { port: 0, configDir: EXAMPLE_CONFIG, applyConfigOnStart: 'always' } },
      ]);
      server = await startServer(options, {
        storage: await createStorage(database.options),
        logger: createLogger('trace', sink),
        env: {},
      });
    });

    afterAll(async () => {
      await server?.close();
      await database?.cleanup();
    });

    it('stores only digests and never logs a key, used or rejected', async () => {
      const issued = [
        await server.keys.create({ tenantId: 'acme', principal: { type: 'user', id: 'alice@acme.test' } }),
        await server.keys.create({ tenantId: 'acme', principal: { type: 'service_account', id: 'ci' } }),
      ];
      const rotated = await server.keys.rotate('acme', issued[0]!.record.id, 60_000);
      const all = [...issued, rotated];
      for (const key of all) {
        const ok = await fetch(`${server.url}/api/v1/whoami`, {
          headers: { authorization: `Bearer ${key.plaintext}` },
        });
        expect(ok.status).toBe(200);
      }
      await server.keys.revoke('acme', rotated.record.id);
      const rejected = await fetch(`${server.url}/api/v1/whoami`, {
        headers: { 'x-api-key': rotated.plaintext },
      });
      expect(rejected.status).toBe(401);

      const stored = await dumpDatabase(backend, database);
      const logText = logs.join('');
      expect(stored).toContain(issued[0]!.record.digest); // the dump really holds the keys table
      expect(logText).toContain('incoming request');
      for (const key of all) {
        const secret = key.plaintext.slice('llmr_'.length + 12);
        expect(stored).not.toContain(secret);
        expect(logText).not.toContain(secret);
      }
    });
  });
}
