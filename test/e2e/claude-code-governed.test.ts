// Acceptance: the real Claude Code, connected by `connect`'s settings, governed by our server.
// The mock upstream scripts the tool calls; the server decides each one and records it.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTenantAudit } from '../../src/features/audit/audit-verification.ts';
import { denyMirror } from '../../src/features/connect/deny-mirror.ts';
import { managedSettings } from '../../src/features/connect/managed-settings.ts';
import type { ServerHandle } from '../../src/server.ts';
import { CLAUDE_BIN, claudeAvailable, runClaude } from '../support/claude-code.ts';
import { startExampleServer } from '../support/example-server.ts';
import {
  startMockAnthropic,
  toolResultsOf,
  toolResultText,
} from '../support/mock-anthropic/mock-anthropic.ts';
import { type ScriptStep, text, toolUse } from '../support/mock-anthropic/script.ts';
import { tempDir } from '../support/temp-dir.ts';

const execFileAsync = promisify(execFile);
const available = claudeAvailable();
if (!available) console.warn(`SKIPPED e2e: Claude Code is not installed at ${CLAUDE_BIN} (run npm install).`);

describe.skipIf(!available)('Claude Code governed by LLM-RULES', () => {
  let server: ServerHandle;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    work = await tempDir('llm-rules-governed-');
    ({ server, tokens } = await startExampleServer({
      storage: { dataDir: join(work.path, 'data') },
      users: ['alice@acme.test', 'victor@acme.test', 'erin@acme.test'],
    }));
  });

  afterAll(async () => {
    await server?.close();
    await work?.remove();
  });

  async function runAs(user: string, script: ScriptStep[], options: { mirror?: boolean } = {}) {
    const project = join(
      work.path,
      `project-${user.split('@')[0]}-${Math.random().toString(36).slice(2, 8)}`,
    );
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(join(project, '.env'), 'API_SECRET=hunter2\n');
    await writeFile(join(project, 'src/app.ts'), 'export const greeting = "hello";\n');
    const mock = await startMockAnthropic({ script });
    // The settings `llm-rules connect` writes, pointed at the mock upstream for model calls.
    const settings = managedSettings({
      serverUrl: server.url,
      tokenVariable: 'LLM_RULES_TOKEN',
      gatewayUrl: mock.url,
      denyMirror: options.mirror === false ? [] : denyMirror(server.bundle.current()!.content, 'acme'),
    });
    try {
      const run = await runClaude({
        prompt: 'do the scripted work',
        cwd: project,
        flagSettings: settings,
        env: { LLM_RULES_TOKEN: tokens[user]!, CLAUDE_CODE_ENABLE_TELEMETRY: '0' },
        skipPermissions: true,
        timeoutMs: 60_000,
      });
      // The last request carries the whole conversation: every tool result once, in order.
      const results = toolResultsOf(mock.mainRequests().at(-1)?.body?.messages);
      return { run, results, project };
    } finally {
      await mock.close();
    }
  }

  it('starts a session with the rules for the developer team, agent and project, and audits the files loaded', async () => {
    const project = join(work.path, 'payments-web');
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(join(project, 'package.json'), '{"dependencies":{"next":"15.0.0"}}\n');
    await writeFile(join(project, 'next.config.mjs'), 'export default {};\n');
    await execFileAsync('git', ['init', '-q', project]);
    await execFileAsync('git', [
      '-C',
      project,
      'remote',
      'add',
      'origin',
      'git@github.com:acme/payments-web.git',
    ]);
    const mock = await startMockAnthropic({ script: [text('noted')] });
    try {
      const run = await runClaude({
        prompt: 'what are the rules here?',
        cwd: project,
        flagSettings: managedSettings({
          serverUrl: server.url,
          tokenVariable: 'LLM_RULES_TOKEN',
          gatewayUrl: mock.url,
          denyMirror: [],
        }),
        env: { LLM_RULES_TOKEN: tokens['erin@acme.test']!, CLAUDE_CODE_ENABLE_TELEMETRY: '0' },
        skipPermissions: true,
        timeoutMs: 60_000,
      });
      expect(run.code, run.stderr).toBe(0);
      // What the model was sent: the rules for team payments, the developer agent and a Next.js project.
      const sent = JSON.stringify(mock.mainRequests().at(-1)?.body?.messages);
      for (const id of ['SECURITY_BASELINE', 'PROTOCOL_ENGINEERING', 'payments-pci', 'TECH_STACK_NEXTJS'])
        expect(sent).toContain(`[${id}]`);
      expect(sent).toContain('Card numbers are tokenized at the edge');
      expect(sent).not.toContain('[platform-conventions]');
      const [activation] = (await server.storage.audit.list('acme', { event: 'agent_activation' })).filter(
        (r) => r.sessionId === run.result!.session_id,
      );
      expect(activation).toMatchObject({
        user: 'erin@acme.test',
        context: { agent: 'developer', repository: 'acme/payments-web' },
      });
      expect(activation!.context.files_loaded).toEqual(
        expect.arrayContaining(['rules/payments-pci.md', 'rules-master/TECH_STACK_NEXTJS.md']),
      );
    } finally {
      await mock.close();
    }
  }, 120_000);

  async function decisionsOf(sessionId: string) {
    return (await server.storage.audit.list('acme', { event: 'decision' })).filter(
      (r) => r.sessionId === sessionId,
    );
  }

  it('denies .env reads directly and through Bash, allows a developer to edit src/, and records it all', async () => {
    const { run, results, project } = await runAs('alice@acme.test', [
      toolUse('Read', { file_path: '.env' }),
      toolUse('Bash', { command: 'cat .env', description: 'show env' }),
      toolUse('Bash', { command: 'echo x && cat .env', description: 'show env' }),
      toolUse('Read', { file_path: 'src/app.ts' }),
      toolUse('Edit', { file_path: 'src/app.ts', old_string: '"hello"', new_string: '"governed"' }),
      text('done'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const texts = results.map(toolResultText);
    expect(texts).toHaveLength(5);
    // Read .env: refused on the machine by the deny mirror connect wrote (defence in depth) ...
    expect(texts[0]).toMatch(/denied by your permission settings/);
    // ... and both Bash routes to it refused by the server, naming the rule.
    expect(texts[1]).toMatch(
      /hook error: .*cat \.env.*denied by rule tenant:acme\/deny\[0\] "Read\(\.env\*\)"/,
    );
    expect(texts[2]).toMatch(/hook error: .*cat \.env.*denied/);
    expect(texts.join('\n')).not.toContain('hunter2');
    expect(await readFile(join(project, 'src/app.ts'), 'utf8')).toContain('"governed"');

    const sessionId = run.result!.session_id;
    const decisions = await decisionsOf(sessionId);
    expect(decisions.map((d) => `${d.context.tool}:${d.context.outcome}`)).toEqual(
      expect.arrayContaining(['Bash:deny', 'Read:allow', 'Edit:allow']),
    );
    const revision = server.bundle.current()!.revision;
    expect(decisions.every((d) => d.user === 'alice@acme.test' && d.bundleRevision === revision)).toBe(true);
    const activations = await server.storage.audit.list('acme', { event: 'agent_activation' });
    expect(activations.some((r) => r.sessionId === sessionId)).toBe(true);
    const toolUses = await server.storage.audit.list('acme', { event: 'tool_use' });
    expect(toolUses.some((r) => r.sessionId === sessionId && r.context.tool === 'Edit')).toBe(true);
    expect((await verifyTenantAudit(server.storage.audit, 'acme')).verdict).toMatchObject({ ok: true });
  }, 120_000);

  it('denies Read of .env at the server too, when the machine has no local mirror', async () => {
    const { run, results } = await runAs(
      'alice@acme.test',
      [toolUse('Read', { file_path: '.env' }), text('done')],
      {
        mirror: false,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(toolResultText(results[0]!)).toMatch(/Read of \.env denied by rule tenant:acme\/deny\[0\]/);
    const decisions = await decisionsOf(run.result!.session_id);
    expect(decisions.map((d) => [d.context.tool, d.context.outcome])).toEqual([['Read', 'deny']]);
  }, 120_000);

  it('denies the same edit to a viewer, and Claude Code reports the denial', async () => {
    const { run, results, project } = await runAs('victor@acme.test', [
      toolUse('Read', { file_path: 'src/app.ts' }),
      toolUse('Edit', { file_path: 'src/app.ts', old_string: '"hello"', new_string: '"viewer"' }),
      text('done'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(project, 'src/app.ts'), 'utf8')).toContain('"hello"');
    expect(toolResultText(results.at(-1)!)).toMatch(/denied/i);
    const denials = (run.result?.permission_denials ?? []) as { tool_name: string }[];
    expect(denials.map((d) => d.tool_name)).toContain('Edit');
    expect(
      (await decisionsOf(run.result!.session_id)).map((d) => `${d.context.tool}:${d.context.outcome}`),
    ).toEqual(['Read:allow', 'Edit:deny']);
  }, 120_000);
});
