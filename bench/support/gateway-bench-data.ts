// What the gateway benches start our server with: the example enterprise applied on SQLite, with a
// tenant-wide budget and a daily budget on the calling user (so every request reserves and settles on
// two counters), an API key for that user, and the `serve` command line.

import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyExampleConfig } from '../../test/support/temp-dir.ts';

export async function benchGatewayData(dir: string, cli: string): Promise<{ data: string; key: string }> {
  const config = await copyExampleConfig(dir);
  await writeFile(
    join(config, 'org/budgets.json'),
    JSON.stringify({
      budgets: [
        { id: 'acme-total', scope: 'tenant', amount: 1_000_000 },
        { id: 'alice', scope: 'user:alice@acme.test', amount: 100_000, period: 'daily' },
      ],
    }),
  );
  const data = join(dir, 'data');
  await promisify(execFile)(process.execPath, [cli, 'apply', config, '--data', data]);
  const { stdout } = await promisify(execFile)(process.execPath, [
    cli,
    'keys',
    'create',
    '--user',
    'alice@acme.test',
    '--data',
    data,
  ]);
  return { data, key: stdout.trim() };
}

/** `llm-rules serve` on `data` and `port` against the mock upstream, logging warnings only. */
export function serveArgs(cli: string, data: string, port: number, upstreamUrl: string): string[] {
  return [
    cli,
    'serve',
    '--data',
    data,
    '--port',
    String(port),
    '--upstream-url',
    upstreamUrl,
    '--log-level',
    'warn',
    '--apply',
    'never',
  ];
}

/** A port free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
