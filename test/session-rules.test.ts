// Rules delivered into sessions through the hook endpoint: chosen for the developer's team, the agent
// and the project the SessionStart hook reports, listed in the agent_activation audit event, fetchable
// in full, kept to the tenant, and following a newly applied bundle without a restart.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerHandle } from '../src/server.ts';
import { applyConfig } from './support/apply-config.ts';
import { startExampleServer } from './support/example-server.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';
import { waitFor } from './support/wait-for.ts';

const PROJECT = '/home/erin/payments-web';
const NEXT_PROJECT = {
  'x-llm-rules-project-dir': PROJECT,
  'x-llm-rules-repository': 'git@github.com:acme/payments-web.git',
  'x-llm-rules-project-files': '.git package.json next.config.mjs src',
};

const revisionOf = (context: string) => /LLM-RULES policy ([0-9a-f]{12})/.exec(context)?.[1];

interface StartAnswer {
  hookSpecificOutput?: { hookEventName: string; additionalContext?: string };
}

describe('rules delivered into sessions', () => {
  let server: ServerHandle;
  let tokens: Record<string, string>;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let config: string;
  let globexToken: string;

  beforeAll(async () => {
    work = await tempDir('llm-rules-session-rules-');
    config = await copyExampleConfig(work.path);
    const dataDir = join(work.path, 'data');
    await applyConfig(dataDir, config);
    ({ server, tokens } = await startExampleServer({
      configDir: config,
      storage: { dataDir },
      users: ['erin@acme.test', 'alice@acme.test', 'mallory@acme.test'],
    }));
    globexToken = (
      await server.keys.create({ tenantId: 'globex', principal: { type: 'user', id: 'frank@globex.test' } })
    ).plaintext;
  });
  afterAll(async () => {
    await server?.close();
    await work?.remove();
  });

  async function start(
    who: string,
    session: string,
    headers: Record<string, string> = {},
    extra: Record<string, unknown> = {},
    token = tokens[who]!,
  ) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/hooks/claude-code',
      headers: { authorization: `Bearer ${token}`, ...headers },
      payload: {
        session_id: session,
        cwd: PROJECT,
        hook_event_name: 'SessionStart',
        source: 'startup',
        ...extra,
      },
    });
    expect(response.statusCode).toBe(200);
    return (response.json() as StartAnswer).hookSpecificOutput?.additionalContext ?? '';
  }

  it('gives a payments developer in a Next.js project the rules for the team, the agent and the stack', async () => {
    const context = await start('erin@acme.test', 'erin-1', NEXT_PROJECT);
    for (const id of [
      'SECURITY_BASELINE',
      'PROTOCOL_ENGINEERING',
      'TECH_STACK_NEXTJS',
      'payments-pci',
      'code-review',
    ])
      expect(context).toContain(`[${id}]`);
    for (const id of ['platform-conventions', 'data-notebooks', 'globex-style'])
      expect(context).not.toContain(`[${id}]`);
    // Priority order: the security baseline (1000), the engineering protocol (100), PCI (80), Next.js (50).
    expect(context.indexOf('[SECURITY_BASELINE]')).toBeLessThan(context.indexOf('[PROTOCOL_ENGINEERING]'));
    expect(context.indexOf('[PROTOCOL_ENGINEERING]')).toBeLessThan(context.indexOf('[TECH_STACK_NEXTJS]'));
    expect(context).toMatch(
      /^# Acme Corp engineering rules \(LLM-RULES policy [0-9a-f]{12}; team payments, agent developer, repository acme\/payments-web\)/,
    );
    expect(context.length).toBeLessThanOrEqual(10_000);

    const [activation] = (await server.storage.audit.list('acme', { event: 'agent_activation' })).filter(
      (r) => r.sessionId === 'erin-1',
    );
    expect(activation?.context).toMatchObject({
      agent: 'developer',
      repository: 'acme/payments-web',
      tech_stacks: ['nextjs', 'node', 'react'],
      rules_omitted: [],
    });
    expect(activation?.context.files_loaded).toEqual([
      'rules-master/SECURITY_BASELINE.md',
      'rules-master/PROTOCOL_ENGINEERING.md',
      'rules/payments-pci.md',
      'rules-master/TECH_STACK_NEXTJS.md',
      'rules/code-review.md',
    ]);
  });

  it('chooses for the subagent that starts, in the project its session reported', async () => {
    await start('erin@acme.test', 'erin-2', NEXT_PROJECT);
    const subagent = async (agent_type: string) => {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/hooks/claude-code',
        headers: { authorization: `Bearer ${tokens['erin@acme.test']}` },
        payload: {
          session_id: 'erin-2',
          cwd: PROJECT,
          hook_event_name: 'SubagentStart',
          agent_type,
          agent_id: 'a1',
        },
      });
      return ((response.json() as StartAnswer).hookSpecificOutput?.additionalContext ?? '') as string;
    };
    const qa = await subagent('qa');
    expect(qa).toContain('[payments-pci]');
    expect(qa).toContain('[TECH_STACK_NEXTJS]');
    const analyst = await subagent('analyst');
    expect(analyst).not.toContain('[payments-pci]');
    expect(analyst).toContain('agent analyst');
  });

  it('leaves out what does not match the project: no stack, another repository, another directory', async () => {
    const plain = await start('alice@acme.test', 'alice-1', {
      'x-llm-rules-project-dir': '/home/alice/tool',
    });
    expect(plain).not.toContain('[TECH_STACK_NEXTJS]');
    expect(plain).not.toContain('[platform-conventions]');
    const platform = await start(
      'alice@acme.test',
      'alice-2',
      {
        'x-llm-rules-project-dir': '/home/alice/platform-api',
        'x-llm-rules-repository': 'https://github.com/acme/platform-api.git',
      },
      { cwd: '/home/alice/platform-api' },
    );
    expect(platform).toContain('[platform-conventions]');
    // In a subdirectory away from the Next.js paths, the path-scoped stack rule stays out.
    const docs = await start('erin@acme.test', 'erin-3', NEXT_PROJECT, { cwd: `${PROJECT}/docs` });
    expect(docs).not.toContain('[TECH_STACK_NEXTJS]');
    expect(docs).toContain('[SECURITY_BASELINE]');
  });

  it("keeps tenants apart: globex gets its own rules and context, never acme's", async () => {
    const context = await start('frank@globex.test', 'globex-1', {}, {}, globexToken);
    expect(context).toContain('[globex-style]');
    expect(context).toContain('Context: architecture.md');
    expect(context).not.toContain('[SECURITY_BASELINE]');
    const fetched = await server.app.inject({
      method: 'GET',
      url: '/v1/rules/SECURITY_BASELINE',
      headers: { authorization: `Bearer ${globexToken}` },
    });
    expect(fetched.statusCode).toBe(404);
  });

  it('serves one rule in full to its tenant, and nothing without a token', async () => {
    const ok = await server.app.inject({
      method: 'GET',
      url: '/v1/rules/payments-pci',
      headers: { authorization: `Bearer ${tokens['erin@acme.test']}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/markdown/);
    expect(ok.body).toContain('Card numbers are tokenized at the edge');
    expect((await server.app.inject({ method: 'GET', url: '/v1/rules/payments-pci' })).statusCode).toBe(401);
  });

  it('follows a rule change applied by another process at the next session, without a restart', async () => {
    await writeFile(
      join(config, 'rules/code-review.md'),
      '# Code review checklist\n\n- Every change names its ticket (ACME-123).\n',
    );
    await applyConfig(join(work.path, 'data'), config);
    await waitFor(
      async () => (await start('erin@acme.test', 'erin-probe', NEXT_PROJECT)).includes('ACME-123'),
      5_000,
      100,
    );
  });

  it('lists by name what does not fit the tenant context budget, with where to fetch it', async () => {
    // A tenant with a small context window: 5,000 tokens leave 1,000 characters for rules.
    const file = join(config, 'config.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('max_context_tokens: 200000', 'max_context_tokens: 5000'),
    );
    const before = revisionOf(await start('erin@acme.test', 'erin-probe', NEXT_PROJECT));
    await applyConfig(join(work.path, 'data'), config);
    await waitFor(
      async () => revisionOf(await start('erin@acme.test', 'erin-probe', NEXT_PROJECT)) !== before,
      5_000,
      100,
    );
    const context = await start('erin@acme.test', 'erin-small', NEXT_PROJECT);
    expect(context.length).toBeLessThanOrEqual(1_000);
    expect(context).toMatch(/## Not included here/);
    expect(context).toMatch(
      /curl -sH "Authorization: Bearer \$LLM_RULES_TOKEN" http:\/\/[^ ]+\/v1\/rules\/[\w-]+/,
    );
    const [activation] = (await server.storage.audit.list('acme', { event: 'agent_activation' })).filter(
      (r) => r.sessionId === 'erin-small',
    );
    expect(activation?.context.rules_omitted).toEqual(expect.arrayContaining([expect.any(String)]));
  });
});
