// Model allowlists at the gateway: a model outside the caller's lists is refused before it is forwarded
// (to /v1/messages or count_tokens), and /v1/models lists only what the caller may use.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExampleServer, startExampleServer } from './support/example-server.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

let mock: MockAnthropic;
let work: Awaited<ReturnType<typeof tempDir>>;
let gateway: ExampleServer;

beforeAll(async () => {
  mock = await startMockAnthropic({ isMainRequest: () => true });
  work = await tempDir('llm-rules-models-');
  const config = await copyExampleConfig(work.path);
  const yaml = await readFile(join(config, 'config.yaml'), 'utf8');
  await writeFile(
    join(config, 'config.yaml'),
    `${yaml}\ngateway:\n  models:\n` +
      `    - { scope: tenant, allow: ["claude-haiku-*"] }\n` +
      `    - { scope: "team:platform", allow: [claude-sonnet-5] }\n` +
      `    - { scope: "user:carol@acme.test", deny: ["claude-sonnet-*"] }\n`,
  );
  gateway = await startExampleServer({
    configDir: config,
    users: ['alice@acme.test', 'carol@acme.test', 'erin@acme.test'],
    upstreamUrl: mock.url,
    env: { ANTHROPIC_API_KEY: 'k' },
  });
});
afterAll(async () => {
  await gateway?.server.close();
  await mock?.close();
  await work?.remove();
});

const ask = (user: string, model: string) =>
  fetch(`${gateway.server.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': gateway.tokens[user]!,
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('gateway model allowlists', () => {
  it('forwards what a node on the caller path allows and refuses the rest with the protocol 400 invalid_request_error', async () => {
    expect((await ask('alice@acme.test', 'claude-sonnet-5')).status).toBe(200);
    expect((await ask('alice@acme.test', 'claude-haiku-4-5-20251001')).status).toBe(200);
    const before = mock.requests.length;
    const refused = await ask('alice@acme.test', 'claude-opus-5-5');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: {
        type: 'invalid_request_error',
        message: expect.stringMatching(/claude-opus-5-5" is not among the models allowed to you/),
      },
    });
    // Outside platform only the tenant's list applies; a user deny beats the team's allow.
    expect((await ask('erin@acme.test', 'claude-sonnet-5')).status).toBe(400);
    expect((await ask('carol@acme.test', 'claude-sonnet-5')).status).toBe(400);
    expect(mock.requests.length).toBe(before);
  });

  it('holds count_tokens to the same allowlist, refusing a denied model with 400 before forwarding', async () => {
    const count = (model: string) =>
      fetch(`${gateway.server.url}/v1/messages/count_tokens`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': gateway.tokens['alice@acme.test']!,
          'anthropic-version': '2023-06-01',
        },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      });
    const before = mock.requests.length;
    const refused = await count('claude-opus-5-5');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: {
        type: 'invalid_request_error',
        message: expect.stringMatching(/claude-opus-5-5" is not among the models allowed to you/),
      },
    });
    expect(mock.requests.length).toBe(before);
    const counted = await count('claude-sonnet-5');
    expect(counted.status).toBe(200);
    expect(await counted.json()).toHaveProperty('input_tokens');
    expect(mock.requests.length).toBe(before + 1);
  });

  it('lists only the models the caller may use', async () => {
    const list = async (user: string, path = '/v1/models') =>
      fetch(`${gateway.server.url}${path}`, { headers: { 'x-api-key': gateway.tokens[user]! } });
    const alice = (await (await list('alice@acme.test')).json()) as {
      data: { id: string }[];
      first_id: string;
    };
    expect(alice.data.map((m) => m.id)).toEqual(['claude-sonnet-5', 'claude-haiku-4-5']);
    expect(alice.first_id).toBe('claude-sonnet-5');
    const erin = (await (await list('erin@acme.test')).json()) as { data: { id: string }[] };
    expect(erin.data.map((m) => m.id)).toEqual(['claude-haiku-4-5']);
    expect((await list('alice@acme.test', '/v1/models/claude-opus-5-5')).status).toBe(404);
    expect((await list('alice@acme.test', '/v1/models/claude-sonnet-5')).status).toBe(200);
  });
});
