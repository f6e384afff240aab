// What a server on the embedded default (SQLite, an Anthropic upstream, no Redis, no SSO) loads: none of
// the packages only other set-ups need, which would hold memory in every server for nothing. Checked in a
// real `llm-rules serve` that has answered a request of each kind through the gateway. Only CommonJS
// modules are listed (require.cache); the packages below all are.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundlesService } from '../src/features/bundles/bundles-service.ts';
import { KeysService } from '../src/features/keys/keys-service.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { cleanEnv, startServe } from './support/run-cli.ts';
import { EXAMPLE_CONFIG, REPO_ROOT, tempDir } from './support/temp-dir.ts';

const PROBE = join(REPO_ROOT, 'test/support/loaded-modules-probe.cjs');
const UPSTREAM_KEY = 'sk-ant-upstream-footprint';

/** Packages a default server must not load, and the set-up that does need each. */
const NOT_LOADED: Record<string, string> = {
  'node_modules/undici/index.js': "undici's index (the gateway needs only its Pool)",
  'node_modules/pg/': 'PostgreSQL storage',
  'node_modules/ioredis/': 'Redis rate counters',
  'node_modules/google-auth-library/': 'Vertex upstreams',
  'node_modules/@smithy/': 'Bedrock upstreams',
  'node_modules/@aws-crypto/': 'Bedrock upstreams',
  'node_modules/@node-saml/': 'SAML sign-in',
};

/** The file's lines, once the probe has written it (within five seconds). */
async function linesOnceWritten(file: string): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    try {
      return (await readFile(file, 'utf8')).split('\n');
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`the probe wrote no list of modules to ${file}`);
}

describe('a default server', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let mock: MockAnthropic;
  let loaded: string[];

  beforeAll(async () => {
    work = await tempDir();
    const data = join(work.path, 'data');
    const storage = await createStorage({ dataDir: data });
    await storage.migrate();
    await new BundlesService(storage).apply(EXAMPLE_CONFIG, {}, 'test');
    const { plaintext: token } = await new KeysService(storage).create({
      tenantId: 'acme',
      principal: { type: 'user', id: 'alice@acme.test' },
    });
    await storage.close();
    mock = await startMockAnthropic({ apiKey: UPSTREAM_KEY, isMainRequest: () => true });
    const listFile = join(work.path, 'loaded-modules.txt');
    const server = await startServe(
      ['--data', data, '--port', '0', '--log-level', 'error', '--upstream-url', mock.url],
      {
        env: cleanEnv({
          NODE_OPTIONS: `--require ${JSON.stringify(PROBE)}`,
          LLM_RULES_LOADED_MODULES_FILE: listFile,
          ANTHROPIC_API_KEY: UPSTREAM_KEY,
        }),
      },
    );
    try {
      for (const stream of [false, true]) {
        const response = await fetch(`${server.url}/v1/messages?beta=true`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'anthropic-version': '2023-06-01',
            'x-api-key': token,
          },
          body: JSON.stringify({
            model: 'claude-sonnet-5',
            max_tokens: 64,
            stream,
            messages: [{ role: 'user', content: 'What is the answer?' }],
          }),
        });
        expect(response.status, await response.text()).toBe(200);
      }
      server.child.kill('SIGUSR2');
      loaded = await linesOnceWritten(listFile);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 60_000);

  afterAll(async () => {
    await mock?.close();
    await work?.remove();
  });

  it('has forwarded through undici (the probe sees what the gateway loads)', () => {
    expect(loaded.some((file) => file.endsWith('node_modules/undici/lib/dispatcher/pool.js'))).toBe(true);
    expect(loaded.some((file) => file.includes('node_modules/better-sqlite3/'))).toBe(true);
  });

  it.each(Object.entries(NOT_LOADED))('does not load %s (%s)', (path) => {
    expect(loaded.filter((file) => file.includes(path))).toEqual([]);
  });
});
