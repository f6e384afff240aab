// Who a gateway request is recorded against: a key sent as `Authorization: Bearer` (ANTHROPIC_AUTH_TOKEN,
// an apiKeyHelper) works as x-api-key does, and the usage record carries the caller's tenant, business
// unit, team, user and key, and the Claude Code session and agent the request names.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ID_LENGTH } from '../src/core/credentials/api-key-format.ts';
import type { UsageRecord } from '../src/storage/usage-port.ts';
import { type ExampleServer, startExampleServer } from './support/example-server.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { text } from './support/mock-anthropic/script.ts';

const UPSTREAM_KEY = 'sk-ant-upstream-attribution';
const USER = 'alice@acme.test';

let mock: MockAnthropic;
let gateway: ExampleServer;
let token: string;

beforeAll(async () => {
  mock = await startMockAnthropic({
    apiKey: UPSTREAM_KEY,
    isMainRequest: () => true,
    fallback: text('Attributed.', { input_tokens: 50, output_tokens: 5 }),
  });
  gateway = await startExampleServer({
    users: [USER],
    upstreamUrl: mock.url,
    env: { ANTHROPIC_API_KEY: UPSTREAM_KEY },
  });
  token = gateway.tokens[USER]!;
});

afterAll(async () => {
  await gateway?.server.close();
  await mock?.close();
});

function post(headers: Record<string, string>, stream = false) {
  return fetch(`${gateway.server.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      stream,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
}

async function lastUsage(): Promise<UsageRecord> {
  await gateway.server.usage.flush();
  return (await gateway.server.storage.usage.list('acme')).at(-1)!;
}

describe('gateway: attribution of a request', () => {
  it('accepts the key as Authorization: Bearer and records the session, agent and org position', async () => {
    for (const stream of [false, true]) {
      const response = await post(
        {
          authorization: `Bearer ${token}`,
          'x-claude-code-session-id': `sess-bearer-${stream}`,
          'x-claude-code-agent-id': `agent-explore-${stream}`,
        },
        stream,
      );
      expect(response.status).toBe(200);
      // The answer arrived whole (a stream splits its text into deltas).
      expect(await response.text()).toContain(stream ? 'event: message_stop' : 'Attributed.');
      // Our key went no further: the upstream got its own, and no Authorization header at all.
      const seen = mock.requests.at(-1)!;
      expect(seen.status).toBe(200);
      expect(seen.headers['x-api-key']).toBe(UPSTREAM_KEY);
      expect(seen.headers.authorization).toBeUndefined();
      expect(JSON.stringify(seen.headers)).not.toContain(token);
      expect(await lastUsage()).toMatchObject({
        tenantId: 'acme',
        businessUnitId: 'engineering',
        teamId: 'platform',
        principal: { type: 'user', id: USER },
        keyId: token.slice('llmr_'.length, 'llmr_'.length + KEY_ID_LENGTH),
        sessionId: `sess-bearer-${stream}`,
        agentId: `agent-explore-${stream}`,
        stream,
        status: 200,
        outcome: 'complete',
        tokens: { input: 50, output: 5 },
      });
    }
  });

  it('records the same attribution for the same key sent as x-api-key', async () => {
    const response = await post({
      'x-api-key': token,
      'x-claude-code-session-id': 'sess-api-key',
      'x-claude-code-agent-id': 'agent-plan',
    });
    expect(response.status).toBe(200);
    await response.text();
    expect(await lastUsage()).toMatchObject({
      tenantId: 'acme',
      businessUnitId: 'engineering',
      teamId: 'platform',
      principal: { type: 'user', id: USER },
      sessionId: 'sess-api-key',
      agentId: 'agent-plan',
    });
  });

  it('records no session or agent for a request that names none, or names them empty', async () => {
    await (await post({ authorization: `Bearer ${token}` })).text();
    expect(await lastUsage()).toMatchObject({ sessionId: null, agentId: null, teamId: 'platform' });
    await (
      await post({
        authorization: `Bearer ${token}`,
        'x-claude-code-session-id': '',
        'x-claude-code-agent-id': '',
      })
    ).text();
    expect(await lastUsage()).toMatchObject({ sessionId: null, agentId: null });
  });

  it('refuses an unknown Bearer key with 401 authentication_error, before reaching the upstream', async () => {
    const before = mock.requests.length;
    const response = await post({ authorization: 'Bearer llmr_not-a-key' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(mock.requests.length).toBe(before);
  });
});
