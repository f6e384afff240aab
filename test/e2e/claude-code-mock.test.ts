// The real Claude Code CLI runs scripted tool calls against the mock Anthropic API (no LLM-RULES server).

import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAUDE_BIN, type ClaudeSettings, claudeAvailable, runClaude } from '../support/claude-code.ts';
import { readFixture } from '../support/claude-code-fixtures.ts';
import {
  type MockAnthropic,
  startMockAnthropic,
  toolResultsOf,
  toolResultText,
} from '../support/mock-anthropic/mock-anthropic.ts';
import { text, toolUse } from '../support/mock-anthropic/script.ts';
import { tempDir } from '../support/temp-dir.ts';

const available = claudeAvailable();
if (!available) {
  console.warn(`SKIPPED e2e: Claude Code is not installed at ${CLAUDE_BIN} (run npm install).`);
}

const API_KEY = 'sk-ant-mock-key';
const RUN_TIMEOUT_MS = 45_000;
const TEST_TIMEOUT_MS = 60_000;

describe.skipIf(!available)('Claude Code against the mock Anthropic API', () => {
  let project: Awaited<ReturnType<typeof tempDir>>;
  let mock: MockAnthropic | undefined;

  beforeEach(async () => {
    project = await tempDir('llm-rules-e2e-project-');
    await writeFile(join(project.path, 'notes.txt'), 'the answer is 42\n');
    await writeFile(join(project.path, '.env'), 'API_SECRET=hunter2\n');
  });
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
    await project.remove();
  });

  const claude = (prompt: string, extra: Partial<Parameters<typeof runClaude>[0]> = {}) =>
    runClaude({
      prompt,
      cwd: project.path,
      baseUrl: mock!.url,
      apiKey: API_KEY,
      skipPermissions: true,
      timeoutMs: RUN_TIMEOUT_MS,
      ...extra,
    });

  it(
    'returns a text-only reply in the JSON result, with the usage the stream reported',
    async () => {
      const usage = {
        input_tokens: 1234,
        output_tokens: 56,
        cache_read_input_tokens: 7,
        cache_creation_input_tokens: 8,
      };
      mock = await startMockAnthropic({ script: [text('Hello from the mock', usage)] });
      const run = await claude('Say hello');

      expect(run.timedOut).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      expect(run.result).toMatchObject({ type: 'result', subtype: 'success', is_error: false });
      expect(run.result?.result).toBe('Hello from the mock');
      expect(run.result?.usage).toMatchObject(usage);

      const [main] = mock.mainRequests();
      expect(mock.mainRequests()).toHaveLength(1);
      expect(main?.url).toBe('/v1/messages?beta=true');
      expect(main?.headers['x-api-key']).toBe(API_KEY);
      expect(main?.headers['anthropic-version']).toBe('2023-06-01');
      expect(main?.headers['x-claude-code-session-id']).toBe(run.result?.session_id);
      expect(main?.body?.stream).toBe(true);
      expect(JSON.stringify(main?.body?.messages)).toContain('Say hello');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'executes a scripted Read and sends the file content back as the tool_result',
    async () => {
      const file = join(project.path, 'notes.txt');
      mock = await startMockAnthropic({
        script: [toolUse('Read', { file_path: file }, { id: 'toolu_read_1' }), text('The file says 42.')],
      });
      const run = await claude('What does notes.txt say?');

      expect(run.code, run.stderr).toBe(0);
      expect(run.result?.result).toBe('The file says 42.');
      expect(run.result?.num_turns).toBe(2);
      const [first, second] = mock.mainRequests();
      expect(toolResultsOf(first?.body?.messages)).toEqual([]);
      const [result] = toolResultsOf(second?.body?.messages);
      expect(result?.tool_use_id).toBe('toolu_read_1');
      expect(result?.is_error).toBeFalsy();
      expect(toolResultText(result!)).toContain('the answer is 42');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'runs a multi-step script: Read .env, then Bash cat .env, then a final text',
    async () => {
      mock = await startMockAnthropic({
        script: [
          toolUse('Read', { file_path: join(project.path, '.env') }),
          toolUse('Bash', { command: 'cat .env', description: 'Show the env file' }),
          text('Both reads done.'),
        ],
      });
      const run = await claude('Show me the secrets');

      expect(run.code, run.stderr).toBe(0);
      expect(run.result?.result).toBe('Both reads done.');
      expect(mock.mainRequests().map((request) => request.turn)).toEqual([0, 1, 2]);
      const results = mock.toolResults();
      expect(results).toHaveLength(2);
      for (const result of results) expect(toolResultText(result)).toContain('API_SECRET=hunter2');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'takes the base URL from settings env and the key from apiKeyHelper, as connect settings supply them',
    async () => {
      mock = await startMockAnthropic({ script: [text('Routed by settings')] });
      const helper = join(project.path, 'key-helper.sh');
      await writeFile(helper, '#!/bin/sh\necho sk-from-helper\n', { mode: 0o755 });
      const run = await runClaude({
        prompt: 'Hello',
        cwd: project.path,
        flagSettings: { env: { ANTHROPIC_BASE_URL: mock.url }, apiKeyHelper: helper },
        timeoutMs: RUN_TIMEOUT_MS,
      });

      expect(run.code, run.stderr).toBe(0);
      expect(run.result?.result).toBe('Routed by settings');
      const [main] = mock.mainRequests();
      expect(main?.headers['x-api-key']).toBe('sk-from-helper');
      expect(main?.headers.authorization).toBe('Bearer sk-from-helper');
    },
    TEST_TIMEOUT_MS,
  );

  describe('a PreToolUse HTTP hook that denies', () => {
    interface HookCall {
      method: string;
      url: string;
      headers: IncomingHttpHeaders;
      body: Record<string, unknown>;
    }
    let hookServer: Server;
    let hookUrl: string;
    let hookCalls: HookCall[];

    beforeEach(async () => {
      hookCalls = [];
      hookServer = createServer((req, res) => {
        let raw = '';
        req.on('data', (chunk: Buffer) => {
          raw += chunk.toString('utf8');
        });
        req.on('end', () => {
          const body = JSON.parse(raw) as Record<string, unknown>;
          hookCalls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
          const decision = {
            hookSpecificOutput: {
              hookEventName: 'PreToolUse',
              permissionDecision: 'deny',
              permissionDecisionReason: 'blocked by test',
            },
          };
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(decision));
        });
      });
      await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
      hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
    });
    afterEach(async () => {
      hookServer.closeAllConnections();
      await new Promise((resolve) => hookServer.close(resolve));
    });

    const hookSettings = (): ClaudeSettings => ({
      hooks: {
        PreToolUse: [
          {
            matcher: '*',
            hooks: [
              {
                type: 'http',
                url: hookUrl,
                headers: { Authorization: 'Bearer $TEST_HOOK_TOKEN' },
                allowedEnvVars: ['TEST_HOOK_TOKEN'],
              },
            ],
          },
        ],
      },
    });

    it.each([
      ['user settings (~/.claude/settings.json)', 'settings'],
      ['flag settings (--settings FILE)', 'flagSettings'],
    ] as const)(
      'keeps the tool from running and reports the reason to the model, from %s',
      async (_source, key) => {
        const file = join(project.path, '.env');
        mock = await startMockAnthropic({
          script: [toolUse('Read', { file_path: file }, { id: 'toolu_denied_1' }), text('I was blocked.')],
        });
        const run = await claude('Read the env file', {
          [key]: hookSettings(),
          env: { TEST_HOOK_TOKEN: 'hook-token-1' },
        });

        expect(run.code, run.stderr).toBe(0);
        expect(run.result?.result).toBe('I was blocked.');
        expect(run.result?.permission_denials).toEqual([
          { tool_name: 'Read', tool_use_id: 'toolu_denied_1', tool_input: { file_path: file } },
        ]);
        const [result] = mock.toolResults();
        expect(result).toMatchObject({ tool_use_id: 'toolu_denied_1', is_error: true });
        expect(toolResultText(result!)).toContain('blocked by test');
        for (const request of mock.requests) expect(request.rawBody).not.toContain('hunter2');

        expect(hookCalls).toHaveLength(1);
        const [call] = hookCalls;
        expect(call?.method).toBe('POST');
        expect(call?.url).toBe('/hook');
        expect(call?.headers.authorization).toBe('Bearer hook-token-1');
        expect(call?.body).toMatchObject({
          hook_event_name: 'PreToolUse',
          tool_name: 'Read',
          tool_input: { file_path: file },
          tool_use_id: 'toolu_denied_1',
          session_id: run.result?.session_id,
          cwd: project.path,
          permission_mode: 'bypassPermissions',
        });
        const fixture = JSON.parse(readFixture('http-hook-request.json')) as {
          headers: Record<string, string>;
          body: Record<string, unknown>;
        };
        expect(Object.keys(call!.body).sort()).toEqual(Object.keys(fixture.body).sort());
        expect(Object.keys(call!.headers).sort()).toEqual(Object.keys(fixture.headers).sort());
      },
      TEST_TIMEOUT_MS,
    );
  });
});
