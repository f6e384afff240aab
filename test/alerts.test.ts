// Alerting in the running server: a budget passing a threshold at the gateway and a cost rule over the
// gateway's usage each reach a signed webhook exactly once, though two servers share the database and
// evaluate every second — on SQLite and on PostgreSQL.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../src/features/alerts/test-support/receivers.ts';
import { verifyWebhook } from '../src/features/alerts/webhook-signature.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { type CreateStorageOptions, createStorage } from '../src/storage/create-storage.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { text } from './support/mock-anthropic/script.ts';
import { SQL_BACKENDS } from './support/sql-backends.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';
import { waitFor } from './support/wait-for.ts';

const USER = 'alice@acme.test';
const SECRET = 'whsec-test';

let mock: MockAnthropic;
let hook: HttpReceiver;
let work: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  // Every answer costs 510 µ$ (10 input and 100 output tokens of Haiku 4.5).
  mock = await startMockAnthropic({
    isMainRequest: () => true,
    fallback: text('ok', { input_tokens: 10, output_tokens: 100 }),
  });
  hook = await startHttpReceiver();
  work = await tempDir('llm-rules-alerts-');
});
afterAll(async () => {
  await mock?.close();
  await hook?.close();
  await work?.remove();
});

/** The example enterprise with one small daily budget and alerts to the local webhook, evaluated every second. */
async function config(name: string): Promise<string> {
  const dir = await copyExampleConfig(join(work.path, name));
  await writeFile(
    join(dir, 'org/budgets.json'),
    JSON.stringify({
      budgets: [
        { id: 'acme-daily', scope: 'tenant', amount: 0.002, period: 'daily', alert_thresholds: [50] },
      ],
    }),
  );
  await writeFile(
    join(dir, 'alerts.yaml'),
    `evaluation_interval: 1s
budget_alerts: {action: hook}
alerts:
  - name: spend
    condition: daily_cost > $0.001
    severity: critical
    action: hook
channels:
  hook: {type: webhook, url: "${hook.url}?case=${name}", secret: "\${HOOK_SECRET}"}
`,
  );
  return dir;
}

async function server(
  storage: CreateStorageOptions,
  configDir: string,
  apply: 'always' | 'never',
): Promise<ServerHandle> {
  return startServer(
    resolveServerOptions([
      { name: 'test', values: { port: 0, configDir, applyConfigOnStart: apply, upstreamUrl: mock.url } },
    ]),
    {
      storage: await createStorage(storage),
      logger: createLogger(process.env.ALERTS_TEST_LOG ?? 'silent'),
      env: { ANTHROPIC_API_KEY: 'k', HOOK_SECRET: SECRET },
    },
  );
}

describe.each(SQL_BACKENDS)('alerts in the server ($name)', (backend) => {
  it.skipIf(!backend.enabled)(
    'notifies a budget threshold and a cost alert once, from two servers',
    async () => {
      const db = await backend.create('alerts');
      const servers: ServerHandle[] = [];
      try {
        const dir = await config(backend.name);
        servers.push(await server(db.options, dir, 'always'));
        servers.push(await server(db.options, dir, 'never'));
        const [a] = servers;
        const token = (await a!.keys.create({ tenantId: 'acme', principal: { type: 'user', id: USER } }))
          .plaintext;
        for (let i = 0; i < 3; i++) {
          const answer = await fetch(`${a!.url}/v1/messages`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-api-key': token,
              'anthropic-version': '2023-06-01',
            },
            body: JSON.stringify({
              model: 'claude-haiku-4-5',
              max_tokens: 100,
              messages: [{ role: 'user', content: 'hi' }],
            }),
          });
          expect(answer.status).toBe(200);
          await answer.text();
        }
        await a!.usage.flush();
        await a!.audit.flush();

        const mine = () => hook.requests.filter((r) => r.path.endsWith(`case=${backend.name}`));
        await waitFor(async () => mine().length >= 2, 10_000);
        // Several more evaluations by both servers: nothing is sent again.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        const received = mine();
        const bodies = received.map((r) => r.json as Record<string, unknown>);
        expect(bodies.map((b) => [b.alert, b.status, b.source]).sort()).toEqual([
          ['budget:acme-daily', 'firing', 'budget'],
          ['spend', 'firing', 'rule'],
        ]);
        expect(bodies.find((b) => b.source === 'budget')).toMatchObject({
          severity: 'warning',
          scope: 'tenant',
          budget: { id: 'acme-daily', threshold_percent: 50, limit_usd: 0.002, period: 'daily' },
        });
        for (const r of received) {
          const signed = {
            signature: r.headers['x-llm-rules-signature'] as string,
            timestamp: r.headers['x-llm-rules-timestamp'] as string,
          };
          expect(verifyWebhook(SECRET, signed, r.body, Math.floor(Date.now() / 1000))).toBe(true);
        }
        const delivered = await a!.storage.alerts.deliveries('acme', { status: 'delivered' });
        expect(delivered).toHaveLength(2);
        const history = await a!.storage.alerts.history('acme');
        expect(history.map((h) => [h.alert, h.to]).sort()).toEqual([
          ['budget:acme-daily', 'firing'],
          ['spend', 'firing'],
        ]);
      } finally {
        await Promise.all(servers.map((s) => s.close()));
        await db.cleanup();
      }
    },
  );
});
