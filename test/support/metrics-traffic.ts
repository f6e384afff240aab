// A server with metrics behind a token, in front of the Anthropic mock, and traffic that moves every
// kind of metric: hook decisions (allow and deny), a gateway request retried past an overloaded upstream.
import { spawnSync } from 'node:child_process';
import { createLogger } from '../../src/http/create-logger.ts';
import { resolveServerOptions } from '../../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../../src/server.ts';
import { createStorage } from '../../src/storage/create-storage.ts';
import { type MockAnthropic, startMockAnthropic } from './mock-anthropic/mock-anthropic.ts';
import { apiError, text } from './mock-anthropic/script.ts';
import { EXAMPLE_CONFIG } from './temp-dir.ts';

export const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
const UPSTREAM_KEY = 'sk-ant-upstream-metrics-test';
const USER = 'alice@acme.test';
const CWD = '/home/dev/acme-app';

export interface MetricsServer {
  server: ServerHandle;
  mock: MockAnthropic;
  /** Alice's API key. */
  userToken: string;
  /** `GET /metrics`, with the metrics token unless told otherwise. */
  scrape(token?: string | null): Promise<Response>;
  close(): Promise<void>;
}

export async function startMetricsServer(values: Record<string, unknown> = {}): Promise<MetricsServer> {
  const mock = await startMockAnthropic({ apiKey: UPSTREAM_KEY, isMainRequest: () => true });
  const server = await startServer(
    resolveServerOptions([
      {
        name: 'test',
        values: {
          port: 0,
          configDir: EXAMPLE_CONFIG,
          applyConfigOnStart: 'always',
          upstreamUrl: mock.url,
          metricsToken: METRICS_TOKEN,
          ...values,
        },
      },
    ]),
    {
      storage: await createStorage({ memory: true }),
      logger: createLogger('silent'),
      env: { ANTHROPIC_API_KEY: UPSTREAM_KEY },
    },
  );
  const issued = await server.keys.create({ tenantId: 'acme', principal: { type: 'user', id: USER } });
  return {
    server,
    mock,
    userToken: issued.plaintext,
    scrape: (token = METRICS_TOKEN) =>
      fetch(`${server.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    close: async () => {
      await server.close();
      await mock.close();
    },
  };
}

/** Whether a Prometheus binary is on PATH; when not, says which test is skipped, visibly. */
export function prometheusBinary(binary: 'promtool' | 'prometheus', skipped: string): boolean {
  if (spawnSync(binary, ['--version']).status === 0) return true;
  console.warn(`SKIPPED: ${skipped}: ${binary} is not installed (apt-get install prometheus).`);
  return false;
}

/** Two hook decisions (an allowed edit, a denied read of .env) and one gateway request, retried once. */
export async function sendTraffic(target: MetricsServer): Promise<void> {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${target.server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${target.userToken}`,
        ...headers,
      },
      body: JSON.stringify(body),
    });
  const preToolUse = (tool_name: string, tool_input: Record<string, unknown>) =>
    post('/v1/hooks/claude-code', {
      session_id: 'metrics-session',
      cwd: CWD,
      hook_event_name: 'PreToolUse',
      tool_name,
      tool_input,
    });
  for (const response of [
    await preToolUse('Edit', { file_path: `${CWD}/src/app.ts`, old_string: 'a', new_string: 'b' }),
    await preToolUse('Read', { file_path: `${CWD}/.env` }),
  ]) {
    if (response.status !== 200) throw new Error(`hook answered ${response.status}`);
  }
  target.mock.setScript([
    apiError(529, 'overloaded_error', 'Overloaded', { 'retry-after': '0' }),
    text('Forty-two.', { input_tokens: 1000, output_tokens: 20, cache_read_input_tokens: 500 }),
  ]);
  const answer = await post(
    '/v1/messages?beta=true',
    { model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'The answer?' }] },
    { 'anthropic-version': '2023-06-01' },
  );
  if (answer.status !== 200) throw new Error(`gateway answered ${answer.status}: ${await answer.text()}`);
  await answer.text();
  // Metering runs after the last byte; the record is counted as it is queued.
  await target.server.usage.flush();
}
