// How the real Claude Code CLI reacts to upstream errors and to an unreachable fail-closed hook, against the mock.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAUDE_BIN, claudeAvailable, type RunClaudeOptions, runClaude } from '../support/claude-code.ts';
import {
  type MockAnthropic,
  startMockAnthropic,
  toolResultText,
} from '../support/mock-anthropic/mock-anthropic.ts';
import { apiError, type ScriptStep, text, toolUse } from '../support/mock-anthropic/script.ts';
import { tempDir } from '../support/temp-dir.ts';

const available = claudeAvailable();
if (!available) {
  console.warn(`SKIPPED e2e: Claude Code is not installed at ${CLAUDE_BIN} (run npm install).`);
}

const TEST_TIMEOUT_MS = 60_000;

/** A local port that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!available)('Claude Code against a failing upstream or hook', () => {
  let project: Awaited<ReturnType<typeof tempDir>>;
  let mock: MockAnthropic | undefined;

  beforeEach(async () => {
    project = await tempDir('llm-rules-e2e-project-');
    await writeFile(join(project.path, '.env'), 'API_SECRET=hunter2\n');
  });
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
    await project.remove();
  });

  async function claudeWith(script: ScriptStep[], extra: Partial<RunClaudeOptions> = {}) {
    mock = await startMockAnthropic({ script });
    return runClaude({
      prompt: 'Go',
      cwd: project.path,
      baseUrl: mock.url,
      apiKey: 'sk-ant-mock-key',
      skipPermissions: true,
      timeoutMs: 45_000,
      ...extra,
    });
  }

  it(
    'retries a 529 overloaded_error and then completes',
    async () => {
      const run = await claudeWith([
        apiError(529, 'overloaded_error', 'Overloaded'),
        text('After the retry.'),
      ]);

      expect(run.code, run.stderr).toBe(0);
      expect(run.result?.result).toBe('After the retry.');
      expect(mock!.mainRequests().map((request) => request.status)).toEqual([529, 200]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'gives up at once on a 429 billing_error with x-should-retry: false and reports its message',
    async () => {
      const run = await claudeWith([
        apiError(429, 'billing_error', 'Monthly budget of team payments is spent', {
          'x-should-retry': 'false',
          'retry-after': '3600',
        }),
      ]);

      expect(run.code).toBe(1);
      expect(run.result).toMatchObject({ is_error: true, api_error_status: 429 });
      expect(run.result?.result).toContain('Monthly budget of team payments is spent');
      expect(mock!.mainRequests()).toHaveLength(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'blocks the tool when an onFailure: "block" HTTP hook cannot be reached',
    async () => {
      const file = join(project.path, '.env');
      const unreachable = {
        hooks: {
          PreToolUse: [
            {
              matcher: '*',
              hooks: [
                { type: 'http', url: `http://127.0.0.1:${await closedPort()}/hook`, onFailure: 'block' },
              ],
            },
          ],
        },
      };
      const run = await claudeWith([toolUse('Read', { file_path: file }), text('Blocked.')], {
        settings: unreachable,
      });

      expect(run.code, run.stderr).toBe(0);
      expect(run.result?.permission_denials).toHaveLength(1);
      const [result] = mock!.toolResults();
      expect(result?.is_error).toBe(true);
      expect(toolResultText(result!)).toContain('onFailure is "block"');
      for (const request of mock!.requests) expect(request.rawBody).not.toContain('hunter2');
    },
    TEST_TIMEOUT_MS,
  );
});
