// A running server follows bundles applied by another process (another Storage instance) within 1 s,
// on SQLite and on PostgreSQL; /readyz reports the active revision.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundlesService } from '../src/features/bundles/bundles-service.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import type { Storage } from '../src/storage/ports.ts';
import { SQL_BACKENDS } from './support/sql-backends.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';
import { waitFor } from './support/wait-for.ts';

for (const backend of SQL_BACKENDS) {
  describe.skipIf(!backend.enabled)(`bundle switching on ${backend.name}`, () => {
    let server: ServerHandle;
    let cli: Storage;
    let configDir: string;
    let cleanup: () => Promise<void>;
    let workDir: Awaited<ReturnType<typeof tempDir>>;

    beforeAll(async () => {
      workDir = await tempDir();
      configDir = await copyExampleConfig(workDir.path);
      const database = await backend.create('bundle_switch');
      cleanup = database.cleanup;
      // Two independent Storage instances over one database, as the server and a CLI process have.
      cli = await createStorage(database.options);
      await cli.migrate();
      const serverStorage = await createStorage(database.options);
      const options = resolveServerOptions([
        { name: 'test', values: { port: 0, configDir, applyConfigOnStart: 'always', logLevel: 'silent' } },
      ]);
      server = await startServer(options, {
        storage: serverStorage,
        logger: createLogger('silent'),
        env: {},
      });
    });

    afterAll(async () => {
      await server?.close();
      await cli?.close();
      await cleanup?.();
      await workDir?.remove();
    });

    const readyz = async () =>
      (await fetch(`${server.url}/readyz`)).json() as Promise<{ bundle: { revision: string } | null }>;

    it('serves /healthz and reports the applied bundle in /readyz', async () => {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { bundle: { revision: string }; storage: string };
      expect(body.bundle.revision).toMatch(/^[0-9a-f]{64}$/);
      expect(body.bundle.revision).toBe(await cli.bundles.activeRevision());
    });

    it('switches to a bundle applied elsewhere within 1 second', async () => {
      const before = (await readyz()).bundle!.revision;
      const configFile = join(configDir, 'config.yaml');
      const text = await readFile(configFile, 'utf8');
      const changed = text.replace(/max_tool_calls_per_session:\s*\d+/, 'max_tool_calls_per_session: 77');
      expect(changed).not.toBe(text);
      await writeFile(configFile, changed);

      const applied = await new BundlesService(cli).apply(configDir, {}, 'bundle-switch test');
      expect(applied.changed).toBe(true);
      expect(applied.revision).not.toBe(before);
      const elapsed = await waitFor(async () => (await readyz()).bundle?.revision === applied.revision, 1000);
      expect(elapsed).toBeLessThan(1000);
      expect(server.bundle.current()?.content.config.limits.max_tool_calls_per_session).toBe(77);
    });

    it('changes nothing when the same content is applied again', async () => {
      const active = await cli.bundles.activeRevision();
      const historyBefore = await cli.bundles.history(100);
      const again = await new BundlesService(cli).apply(configDir, {}, 'bundle-switch test');
      expect(again.changed).toBe(false);
      expect(again.revision).toBe(active);
      expect(await cli.bundles.history(100)).toEqual(historyBefore);
    });
  });
}
