// The real Claude Code CLI with our gateway as its Anthropic API, in front of the mock upstream: the
// session works as it does direct, and what we bill for it is what Claude Code says it cost.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAUDE_BIN, claudeAvailable, runClaude } from '../support/claude-code.ts';
import { type ExampleServer, startExampleServer } from '../support/example-server.ts';
import { type MockAnthropic, startMockAnthropic } from '../support/mock-anthropic/mock-anthropic.ts';
import { text, toolUse } from '../support/mock-anthropic/script.ts';
import { copyExampleConfig, tempDir } from '../support/temp-dir.ts';

const available = claudeAvailable();
if (!available) console.warn(`SKIPPED e2e: Claude Code is not installed at ${CLAUDE_BIN} (run npm install).`);

const UPSTREAM_KEY = 'sk-ant-upstream-e2e';
const USER = 'alice@acme.test';

describe.skipIf(!available)('Claude Code through the LLM-RULES gateway', () => {
  let project: Awaited<ReturnType<typeof tempDir>>;
  let mock: MockAnthropic;
  let gateway: ExampleServer;

  async function start(configDir?: string): Promise<void> {
    gateway = await startExampleServer({
      users: [USER],
      upstreamUrl: mock.url,
      env: { ANTHROPIC_API_KEY: UPSTREAM_KEY },
      ...(configDir ? { configDir } : {}),
    });
  }

  beforeEach(async () => {
    project = await tempDir('llm-rules-e2e-gateway-');
    await writeFile(join(project.path, 'notes.txt'), 'the answer is 42\n');
    mock = await startMockAnthropic({ apiKey: UPSTREAM_KEY });
  });
  afterEach(async () => {
    await gateway?.server.close();
    await mock?.close();
    await project.remove();
  });

  it('runs a tool-using session, and the cost we record equals Claude Code total_cost_usd within 1%', async () => {
    await start();
    mock.setScript([
      toolUse('Read', { file_path: join(project.path, 'notes.txt') }, { text: 'Reading the notes.' }),
      text('The notes say the answer is 42.', {
        input_tokens: 3_400,
        output_tokens: 220,
        cache_creation_input_tokens: 1_200,
        cache_read_input_tokens: 18_000,
      }),
    ]);
    const run = await runClaude({
      prompt: 'What do the notes say?',
      cwd: project.path,
      baseUrl: gateway.server.url,
      apiKey: gateway.tokens[USER]!,
      skipPermissions: true,
      extraArgs: ['--model', 'claude-sonnet-5'],
      timeoutMs: 60_000,
    });
    expect(run.result, run.stderr).toBeDefined();
    expect(run.result!.is_error).toBe(false);
    expect(run.result!.result).toContain('42');
    // Our credential reached the gateway only; the upstream saw the gateway's own key on every call.
    expect(mock.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of mock.requests) {
      if (request.kind === 'hello') continue;
      expect(request.headers['x-api-key']).toBe(UPSTREAM_KEY);
    }

    await gateway.server.usage.flush();
    const usage = await gateway.server.storage.usage.list('acme');
    const metered = mock.requests.filter((r) => r.path === '/v1/messages').length;
    expect(usage).toHaveLength(metered);
    expect(new Set(usage.map((u) => u.sessionId))).toEqual(new Set([run.result!.session_id]));
    const ours = usage.reduce((sum, u) => sum + u.costMicro, 0) / 1_000_000;
    const theirs = run.result!.total_cost_usd!;
    expect(theirs).toBeGreaterThan(0);
    expect(Math.abs(ours - theirs) / theirs).toBeLessThanOrEqual(0.01);
  }, 90_000);

  it('stops a session cleanly with our billing error when the budget runs out part way', async () => {
    const config = await copyExampleConfig(join(project.path, 'policy'));
    await writeFile(
      join(config, 'org/budgets.json'),
      JSON.stringify({ budgets: [{ id: 'alice-daily', scope: `user:${USER}`, amount: 1, period: 'daily' }] }),
    );
    await start(config);
    // Each turn reads the notes again and costs about $0.09; the worst case reserved for the next turn
    // (its max_tokens of output) stops admitting turns well before the dollar is spent.
    const turn = { input_tokens: 20_000, output_tokens: 5_000 };
    mock.setScript(
      Array.from({ length: 12 }, () => ({
        ...toolUse('Read', { file_path: join(project.path, 'notes.txt') }),
        usage: turn,
      })),
    );
    const run = await runClaude({
      prompt: 'Keep reading the notes.',
      cwd: project.path,
      baseUrl: gateway.server.url,
      apiKey: gateway.tokens[USER]!,
      skipPermissions: true,
      extraArgs: ['--model', 'claude-sonnet-5'],
      timeoutMs: 60_000,
    });
    expect(run.timedOut).toBe(false);
    expect(run.result, run.stderr).toBeDefined();
    expect(run.result!.is_error).toBe(true);
    expect(`${run.result!.result ?? ''}${run.stdout}`).toMatch(
      /spend limit reached: your budget "alice-daily"/,
    );
    await gateway.server.usage.flush();
    const usage = await gateway.server.storage.usage.list('acme');
    const refused = usage.filter((u) => u.outcome === 'refused');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // No retries into the block: the refusal is the last main request Claude Code made.
    expect(usage.filter((u) => u.outcome === 'complete').length).toBeGreaterThan(1);
    expect(usage.at(-1)!.outcome).toBe('refused');
  }, 90_000);
});
