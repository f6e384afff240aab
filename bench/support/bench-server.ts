// The server as benchmarks run it: its normal wiring on SQLite with the audit writer thread and the
// example enterprise applied, silent, on a free port, with a key for one developer.
import { join } from 'node:path';
import { createLogger } from '../../src/http/create-logger.ts';
import { resolveServerOptions } from '../../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../../src/server.ts';
import { createStorage } from '../../src/storage/create-storage.ts';
import { EXAMPLE_CONFIG } from '../../test/support/temp-dir.ts';

export async function startBenchServer(dir: string): Promise<{ server: ServerHandle; key: string }> {
  const options = resolveServerOptions([
    { name: 'bench', values: { port: 0, configDir: EXAMPLE_CONFIG, applyConfigOnStart: 'always' } },
  ]);
  const server = await startServer(options, {
    storage: await createStorage({ dataDir: join(dir, 'data'), auditWriter: 'thread' }),
    logger: createLogger('silent'),
    env: {},
  });
  const { plaintext } = await server.keys.create({
    tenantId: 'acme',
    principal: { type: 'user', id: 'alice@acme.test' },
  });
  return { server, key: plaintext };
}
