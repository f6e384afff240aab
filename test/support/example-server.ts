// An in-process server governed by a config (the example enterprise by default), silent, on a
// free port, with keys for the users a test names.
import type { Logger } from 'pino';
import type { Clock } from '../../src/core/clock/clock.ts';
import { createLogger } from '../../src/http/create-logger.ts';
import { resolveServerOptions } from '../../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../../src/server.ts';
import { type CreateStorageOptions, createStorage } from '../../src/storage/create-storage.ts';
import { EXAMPLE_CONFIG } from './temp-dir.ts';

export interface ExampleServer {
  server: ServerHandle;
  /** One key per user (tenant acme unless the email is in another tenant's org). */
  tokens: Record<string, string>;
}

export async function startExampleServer(
  options: {
    configDir?: string;
    storage?: CreateStorageOptions;
    users?: string[];
    tenantId?: string;
    /** `--upstream-url`: the gateway forwards to this (a mock upstream). */
    upstreamUrl?: string;
    env?: Record<string, string>;
    /** The server's clock (the system's by default). */
    clock?: Clock;
    /** Where the server logs (silent by default), for a test that checks what is logged. */
    logger?: Logger;
  } = {},
): Promise<ExampleServer> {
  const serverOptions = resolveServerOptions([
    {
      name: 'test',
      values: {
        port: 0,
        configDir: options.configDir ?? EXAMPLE_CONFIG,
        applyConfigOnStart: 'always',
        upstreamUrl: options.upstreamUrl,
      },
    },
  ]);
  const server = await startServer(serverOptions, {
    storage: await createStorage(options.storage ?? { memory: true }),
    logger: options.logger ?? createLogger('silent'),
    env: options.env ?? {},
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const tokens: Record<string, string> = {};
  for (const user of options.users ?? []) {
    const issued = await server.keys.create({
      tenantId: options.tenantId ?? 'acme',
      principal: { type: 'user', id: user },
    });
    tokens[user] = issued.plaintext;
  }
  return { server, tokens };
}
