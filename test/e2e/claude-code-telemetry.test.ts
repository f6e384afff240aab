// Acceptance (issue 7): a real Claude Code run with telemetry pointed at the server, in OTLP protobuf,
// shows up attributed to the developer, with the cost Claude Code itself reports.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedSettings } from '../../src/features/connect/managed-settings.ts';
import type { ServerHandle } from '../../src/server.ts';
import { CLAUDE_BIN, claudeAvailable, runClaude } from '../support/claude-code.ts';
import { startExampleServer } from '../support/example-server.ts';
import { startMockAnthropic } from '../support/mock-anthropic/mock-anthropic.ts';
import { text } from '../support/mock-anthropic/script.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const available = claudeAvailable();
if (!available) console.warn(`SKIPPED e2e: Claude Code is not installed at ${CLAUDE_BIN} (run npm install).`);

describe.skipIf(!available)('Claude Code telemetry into LLM-RULES', () => {
  let server: ServerHandle;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    work = await tempDir('llm-rules-telemetry-');
    ({ server, tokens } = await startExampleServer({
      storage: { dataDir: join(work.path, 'data') },
      users: ['judy@acme.test'],
    }));
  });
  afterAll(async () => {
    await server?.close();
    await work?.remove();
  });

  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`records a session's model calls and activity sent as ${protocol}`, async () => {
      const project = join(work.path, `project-${protocol.replace('/', '-')}`);
      await mkdir(project, { recursive: true });
      const mock = await startMockAnthropic({ script: [text('hello from the mock')] });
      try {
        const settings = managedSettings({
          serverUrl: server.url,
          tokenVariable: 'LLM_RULES_TOKEN',
          gatewayUrl: mock.url,
          denyMirror: [],
        });
        const env = settings.env as Record<string, string>;
        env.OTEL_EXPORTER_OTLP_PROTOCOL = protocol;
        const run = await runClaude({
          prompt: 'say hello',
          cwd: project,
          flagSettings: settings,
          env: {
            LLM_RULES_TOKEN: tokens['judy@acme.test']!,
            OTEL_LOGS_EXPORT_INTERVAL: '200',
            OTEL_METRIC_EXPORT_INTERVAL: '200',
          },
          skipPermissions: true,
          timeoutMs: 60_000,
        });
        expect(run.code, run.stderr).toBe(0);
        const session = run.result!.session_id;
        const since = new Date(Date.now() - 3_600_000);
        const until = new Date(Date.now() + 3_600_000);
        // Claude Code flushes its exporters on exit; the last batch may land just after.
        await waitFor(
          async () =>
            (await server.storage.telemetry.events('acme', { since, until, name: 'api_request' })).some(
              (e) => e.sessionId === session,
            ),
          10_000,
          100,
        );
        const events = (await server.storage.telemetry.events('acme', { since, until })).filter(
          (e) => e.sessionId === session,
        );
        const requests = events.filter((e) => e.name === 'api_request');
        expect(requests[0]).toMatchObject({
          userId: 'judy@acme.test',
          teamId: 'analytics',
          businessUnitId: 'data',
        });
        const cost = requests.reduce((sum, e) => sum + e.costMicro, 0);
        expect(cost / 1_000_000).toBeCloseTo(run.result!.total_cost_usd ?? -1, 6);
        expect(events.map((e) => e.name)).toContain('user_prompt');
      } finally {
        await mock.close();
      }
    }, 90_000);
  }
});
