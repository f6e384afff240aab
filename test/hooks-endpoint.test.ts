// The hook endpoint end to end in-process: Claude Code's payloads in, Claude Code's answers out,
// every decision in the verified audit chain.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTenantAudit } from '../src/features/audit/audit-verification.ts';
import type { ServerHandle } from '../src/server.ts';
import { hookEventFixtures } from './support/claude-code-fixtures.ts';
import { startExampleServer } from './support/example-server.ts';

const CWD = '/home/dev/acme-app';

interface HookAnswer {
  hookSpecificOutput?: {
    hookEventName?: string;
    permissionDecision?: string;
    permissionDecisionReason?: string;
  };
  decision?: string;
  reason?: string;
  continue?: boolean;
}

describe('POST /v1/hooks/claude-code', () => {
  let server: ServerHandle;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    ({ server, tokens } = await startExampleServer({ users: ['alice@acme.test', 'victor@acme.test'] }));
  });
  afterAll(async () => {
    await server?.close();
  });

  async function hook(body: Record<string, unknown>, token: string | null = tokens['alice@acme.test']!) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/hooks/claude-code',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      payload: body,
    });
    return { status: response.statusCode, body: response.json() as HookAnswer };
  }

  const preToolUse = (session: string, tool_name: string, tool_input: Record<string, unknown>) => ({
    session_id: session,
    cwd: CWD,
    hook_event_name: 'PreToolUse',
    tool_name,
    tool_input,
    tool_use_id: `toolu_${Math.random()}`,
  });

  it('denies reading .env, directly and through Bash, in Claude Code format', async () => {
    for (const [tool, input] of [
      ['Read', { file_path: `${CWD}/.env` }],
      ['Bash', { command: 'cat .env' }],
      ['Bash', { command: 'echo x && cat .env' }],
    ] as const) {
      const { status, body } = await hook(preToolUse('s-env', tool, input));
      expect(status).toBe(200);
      expect(body.hookSpecificOutput).toMatchObject({
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
      });
      expect(body.hookSpecificOutput?.permissionDecisionReason).toMatch(/\.env/);
    }
  });

  it('allows a developer to edit under src/ and denies the same edit to a viewer', async () => {
    const edit = preToolUse('s-edit', 'Edit', {
      file_path: `${CWD}/src/app.ts`,
      old_string: 'a',
      new_string: 'b',
    });
    expect((await hook(edit)).body.hookSpecificOutput?.permissionDecision).toBe('allow');
    expect((await hook(edit, tokens['victor@acme.test'])).body.hookSpecificOutput?.permissionDecision).toBe(
      'deny',
    );
  });

  it('answers a missing, unknown or revoked token with a deny that says why', async () => {
    const event = preToolUse('s-auth', 'Read', { file_path: `${CWD}/src/a.ts` });
    expect((await hook(event, null)).body.hookSpecificOutput?.permissionDecisionReason).toMatch(
      /No LLM-RULES token/,
    );
    expect((await hook(event, 'llmr_nope')).body.hookSpecificOutput?.permissionDecisionReason).toMatch(
      /malformed/,
    );
    const doomed = await server.keys.create({
      tenantId: 'acme',
      principal: { type: 'user', id: 'alice@acme.test' },
    });
    await server.keys.revoke('acme', doomed.record.id);
    expect((await hook(event, doomed.plaintext)).body.hookSpecificOutput).toMatchObject({
      permissionDecision: 'deny',
      permissionDecisionReason: expect.stringMatching(/revoked/),
    });
  });

  it('blocks prompts carrying credentials without recording the prompt', async () => {
    const secret = `AKIA${'IOSFODNN7EXAMPL'}E`;
    const { body } = await hook({
      session_id: 's-prompt',
      cwd: CWD,
      hook_event_name: 'UserPromptSubmit',
      prompt: `deploy with ${secret}`,
    });
    expect(body).toMatchObject({ decision: 'block', reason: expect.stringMatching(/AWS access key id/) });
    const records = await server.storage.audit.list('acme', { event: 'prompt_blocked' });
    expect(records.length).toBeGreaterThan(0);
    expect(JSON.stringify(records)).not.toContain(secret);
    expect(
      (
        await hook({
          session_id: 's-prompt',
          cwd: CWD,
          hook_event_name: 'UserPromptSubmit',
          prompt: 'add a test',
        })
      ).body,
    ).toEqual({});
    // The example lists prompt_submit in audit.events: the prompt's length is recorded, never its text.
    const submitted = await server.storage.audit.list('acme', { event: 'prompt_submit' });
    expect(submitted.at(-1)).toMatchObject({
      sessionId: 's-prompt',
      context: { characters: 'add a test'.length },
    });
    expect(JSON.stringify(submitted)).not.toContain('add a test');
  });

  it('stops a user past limits.max_sessions_per_day, and only that user', async () => {
    const limit = server.bundle.current()!.content.config.limits.max_sessions_per_day;
    const start = (session: string, token?: string) =>
      hook({ session_id: session, cwd: CWD, hook_event_name: 'SessionStart', source: 'startup' }, token);
    // A session that may start gets its rules; one past the limit is stopped.
    const started = {
      hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: expect.any(String) },
    };
    for (let i = 0; i < limit; i++) expect((await start(`daily-${i}`)).body).toEqual(started);
    // Resuming a session already started today is not a new one.
    expect((await start('daily-0')).body).toEqual(started);
    const refused = (await start('daily-over')).body;
    expect(refused).toMatchObject({
      continue: false,
      stopReason: expect.stringMatching(/limits\.max_sessions_per_day/),
    });
    expect((await start('victor-1', tokens['victor@acme.test']!)).body).toEqual(started);
  });

  it('counts tool calls per session and denies past limits.max_tool_calls_per_session', async () => {
    const limit = server.bundle.current()!.content.config.limits.max_tool_calls_per_session;
    const session = 's-limit';
    const read = preToolUse(session, 'Read', { file_path: `${CWD}/src/a.ts` });
    for (let i = 0; i < limit; i++) {
      await hook({ ...read, hook_event_name: 'PostToolUse', tool_response: {} });
    }
    const { body } = await hook(read);
    expect(body.hookSpecificOutput).toMatchObject({
      permissionDecision: 'deny',
      permissionDecisionReason: expect.stringMatching(/max_tool_calls_per_session/),
    });
  });

  it('answers every captured Claude Code event with output Claude Code accepts', async () => {
    for (const event of hookEventFixtures()) {
      const { status, body } = await hook(event);
      expect(status).toBe(200);
      const keys = Object.keys(body);
      expect(
        keys.every((k) => ['hookSpecificOutput', 'decision', 'reason', 'continue', 'stopReason'].includes(k)),
      ).toBe(true);
      if (body.hookSpecificOutput) expect(body.hookSpecificOutput.hookEventName).toBe(event.hook_event_name);
    }
  });

  it('records every decision in a chain that verifies', async () => {
    const decisions = await server.storage.audit.list('acme', { event: 'decision' });
    expect(decisions.length).toBeGreaterThan(5);
    expect(decisions[0]).toMatchObject({
      user: 'alice@acme.test',
      sessionId: 's-env',
      context: { tool: 'Read', outcome: 'deny' },
    });
    const verified = await verifyTenantAudit(server.storage.audit, 'acme');
    expect(verified.verdict).toMatchObject({ ok: true });
    expect(verified.verdict.verified).toBeGreaterThan(5);
  });

  it('never answers random JSON with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue(),
        fc.constantFrom(...['PreToolUse', 'UserPromptSubmit', 'SessionStart', 'PostToolUse', 'X']),
        async (value, event) => {
          const body =
            typeof value === 'object' && value !== null && !Array.isArray(value)
              ? { session_id: 's-fuzz', cwd: CWD, hook_event_name: event, ...value }
              : value;
          const response = await server.app.inject({
            method: 'POST',
            url: '/v1/hooks/claude-code',
            headers: {
              authorization: `Bearer ${tokens['alice@acme.test']}`,
              'content-type': 'application/json',
            },
            payload: JSON.stringify(body),
          });
          expect(response.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('POST /v1/decide', () => {
  let server: ServerHandle;
  let token: string;
  beforeAll(async () => {
    const started = await startExampleServer({ users: ['alice@acme.test'] });
    server = started.server;
    token = started.tokens['alice@acme.test']!;
  });
  afterAll(async () => {
    await server?.close();
  });

  const decide = (payload: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    server.app.inject({
      method: 'POST',
      url: '/v1/decide',
      headers,
      payload: payload as Record<string, unknown>,
    });

  it('returns the decision as plain JSON and records it', async () => {
    const response = await decide({
      tool_name: 'Read',
      tool_input: { file_path: '.env' },
      cwd: CWD,
      session_id: 'api-1',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      outcome: 'deny',
      reason: expect.stringMatching(/\.env/),
      matched_rules: expect.any(Array),
      revision: server.bundle.current()!.revision,
    });
    const recorded = await server.storage.audit.list('acme', { event: 'decision' });
    expect(recorded.at(-1)).toMatchObject({
      sessionId: 'api-1',
      context: { hook_event: 'Decide', outcome: 'deny' },
    });
  });

  it('names the field of a bad request and refuses a missing token with 401', async () => {
    const bad = await decide({ tool_name: 'Read', cwd: CWD, tool: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ details: { field: 'tool' } });
    const missing = await decide({ tool_name: 'Read', tool_input: {}, cwd: CWD }, {});
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.type).toBe('authentication_error');
  });
});
