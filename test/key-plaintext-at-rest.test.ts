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
import { DATABASE_URL, dropSchema, uniqueSchema } from './support/postgres.ts';
import { EXAMPLE_CONFIG, tempDir } from './support/temp-dir.ts';

interface Backend {
  name: string;
  enabled: boolean;
  setup(): Promise<{
    storageOptions: Parameters<typeof createStorage>[0];
    dump(): Promise<string>;
    cleanup(): Promise<void>;
  }>;
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    enabled: true,
    async setup() {
      const dir = await tempDir();
      return {
        storageOptions: { dataDir: dir.path },
        // The raw files, WAL included: whatever SQLite wrote anywhere.
        dump: async () => {
          const files = await readdir(dir.path);
          return (await Promise.all(files.map((f) => readFile(join(dir.path, f), 'latin1')))).join('\n');
        },
        cleanup: dir.remove,
      };
    },
  },
  {
    name: 'PostgreSQL',
    enabled: Boolean(DATABASE_URL),
    async setup() {
      const schema = uniqueSchema('plaintext');
      return {
        storageOptions: { databaseUrl: DATABASE_URL!, postgresSchema: schema },
        dump: async () => {
          const client = new pg.Client({ connectionString: DATABASE_URL });
          await client.connect();
          try {
            const tables = await client.query<{ table_name: string }>(
              'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
              [schema],
            );
            const rows = await Promise.all(
              tables.rows.map((t) =>
                client.query(`SELECT row_to_json(x)::text AS row FROM "${schema}"."${t.table_name}" x`),
              ),
            );
            return rows.flatMap((r) => r.rows.map((row: { row: string }) => row.row)).join('\n');
          } finally {
            await client.end();
          }
        },
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`API key plaintext on ${backend.name}`, () => {
    let server: ServerHandle;
    let env: Awaited<ReturnType<Backend['setup']>>;
    const logs: string[] = [];

    beforeAll(async () => {
      env = await backend.setup();
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
        storage: await createStorage(env.storageOptions),
        logger: createLogger('trace', sink),
        env: {},
      });
    });

    afterAll(async () => {
      await server?.close();
      await env?.cleanup();
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

      const stored = await env.dump();
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
