// The gateway in front of the faithful Anthropic mock: bytes relayed unchanged, credentials swapped,
// usage metered and priced, errors relayed, limits enforced; and the official SDK works through it.

import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../src/core/pricing/price-table.ts';
import { costMicroDollars } from '../src/core/pricing/usage-cost.ts';
import type { UsageRecord } from '../src/storage/usage-port.ts';
import { type ExampleServer, startExampleServer } from './support/example-server.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { apiError, text } from './support/mock-anthropic/script.ts';

const UPSTREAM_KEY = 'sk-ant-upstream-test-key';
const USER = 'alice@acme.test';

let mock: MockAnthropic;
let gateway: ExampleServer;
let token: string;

beforeAll(async () => {
  mock = await startMockAnthropic({ apiKey: UPSTREAM_KEY, isMainRequest: () => true });
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

const requestBody = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'What is the answer?' }],
  ...extra,
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${gateway.server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
      'x-api-key': token,
      'x-claude-code-session-id': 'sess-gw-1',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The usage record of the newest request, once the recorder has written it. */
async function lastUsage(): Promise<UsageRecord> {
  await gateway.server.usage.flush();
  const records = await gateway.server.storage.usage.list('acme');
  return records.at(-1)!;
}

describe('gateway: /v1/messages', () => {
  it('forwards the body and Anthropic headers unchanged, with the upstream key instead of ours', async () => {
    mock.setScript([
      text('Forty-two.', { input_tokens: 1000, output_tokens: 20, cache_read_input_tokens: 5000 }),
    ]);
    // Request tags included: only cloud upstreams, which reject them, have them left out.
    const raw = JSON.stringify(requestBody({ metadata: { user_id: 'u' }, tags: { team: 't' } }), null, 1);
    const beta = 'claude-code-20250219,request-tags-2026-08-21';
    const response = await post('/v1/messages?beta=true', raw, { 'anthropic-beta': beta });
    expect(response.status).toBe(200);
    const message = (await response.json()) as { content: { text: string }[]; usage: unknown };
    expect(message.content[0]!.text).toBe('Forty-two.');
    const seen = mock.requests.at(-1)!;
    expect(seen.url).toBe('/v1/messages?beta=true');
    expect(seen.rawBody).toBe(raw);
    expect(seen.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen.headers['anthropic-beta']).toBe(beta);
    expect(JSON.stringify(seen.headers)).not.toContain(token);
  });

  it('meters a response: one usage record, priced as the model, attributed to the caller and session', async () => {
    mock.setScript([
      text('Hello', {
        input_tokens: 1200,
        output_tokens: 30,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 4000,
      }),
    ]);
    await (await post('/v1/messages', requestBody())).json();
    const usage = await lastUsage();
    const tokens = { input: 1200, output: 30, cacheWrite5m: 100, cacheWrite1h: 0, cacheRead: 4000 };
    expect(usage).toMatchObject({
      tenantId: 'acme',
      principal: { type: 'user', id: USER },
      sessionId: 'sess-gw-1',
      model: 'claude-sonnet-5',
      upstream: 'anthropic',
      status: 200,
      outcome: 'complete',
      stream: false,
      tokens,
      pricedAs: 'claude-sonnet-5',
      costMicro: costMicroDollars(tokens, DEFAULT_PRICES['claude-sonnet-5']!),
    });
    expect(usage.ttfbMs).not.toBeNull();
  });

  it('records a request under the id its answer carries in x-request-id, unless the client chose it', async () => {
    mock.setScript([text('One.', { input_tokens: 10, output_tokens: 2 })]);
    const ours = await post('/v1/messages', requestBody());
    await ours.json();
    const id = ours.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await lastUsage()).requestId).toBe(id);
    // A client's id is echoed, but it is not trusted to be unique: the record gets an id of ours.
    mock.setScript([text('Two.', { input_tokens: 10, output_tokens: 2 })]);
    const chosen = await post('/v1/messages', requestBody(), { 'x-request-id': 'client-chosen-1' });
    await chosen.json();
    expect(chosen.headers.get('x-request-id')).toBe('client-chosen-1');
    const usage = await lastUsage();
    expect(usage.requestId).not.toBe('client-chosen-1');
    expect(usage.requestId).not.toBe(id);
    expect(usage.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('relays a stream event by event and meters it from message_start and message_delta', async () => {
    mock.setScript([text('Streaming answer here.', { input_tokens: 800, output_tokens: 12 })]);
    const response = await post('/v1/messages', requestBody({ stream: true }));
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const body = await response.text();
    const events = [...body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe('message_start');
    expect(events).toContain('ping');
    expect(events.at(-1)).toBe('message_stop');
    expect(await lastUsage()).toMatchObject({
      stream: true,
      outcome: 'complete',
      tokens: { input: 800, output: 12 },
    });
  });

  it('relays upstream errors unchanged and bills nothing for them', async () => {
    // The first try and both retries are overloaded: the last answer reaches the client as it was.
    const overloaded = apiError(529, 'overloaded_error', 'Overloaded');
    mock.setScript([overloaded, overloaded, overloaded]);
    const before = mock.requests.length;
    const response = await post('/v1/messages', requestBody());
    expect(response.status).toBe(529);
    expect(mock.requests.length - before).toBe(3);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    expect(await lastUsage()).toMatchObject({ status: 529, outcome: 'upstream_error', costMicro: 0 });
  });

  it('refuses an unknown credential in the Anthropic error shape, before reaching the upstream', async () => {
    const before = mock.requests.length;
    const response = await post('/v1/messages', requestBody(), { 'x-api-key': 'llmr_nope' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(mock.requests.length).toBe(before);
  });

  it('refuses a request over limits.max_context_tokens with a 400 naming the limit', async () => {
    const before = mock.requests.length;
    const huge = 'x'.repeat(900_000);
    const response = await post('/v1/messages', requestBody({ messages: [{ role: 'user', content: huge }] }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/limits\.max_context_tokens \(200000\)/);
    expect(mock.requests.length).toBe(before);
    expect(await lastUsage()).toMatchObject({ outcome: 'refused', status: 400, costMicro: 0 });
  });

  it('refuses a model id with control characters and a max_tokens below 1, naming the field', async () => {
    const before = mock.requests.length;
    const badModel = await post('/v1/messages', requestBody({ model: 'claude\u0000x' }));
    expect(badModel.status).toBe(400);
    expect(await badModel.json()).toMatchObject({
      error: { type: 'invalid_request_error', details: { field: 'model' } },
    });
    const badMax = await post('/v1/messages', requestBody({ max_tokens: -5 }));
    expect(badMax.status).toBe(400);
    expect(await badMax.json()).toMatchObject({ error: { details: { field: 'max_tokens' } } });
    expect(mock.requests.length).toBe(before);
  });

  it('answers the reachability probe and passes count_tokens and models through', async () => {
    expect((await fetch(`${gateway.server.url}/api/hello`, { method: 'HEAD' })).status).toBe(200);
    const counted = await post('/v1/messages/count_tokens', requestBody());
    expect(counted.status).toBe(200);
    expect(await counted.json()).toHaveProperty('input_tokens');
    const models = await fetch(`${gateway.server.url}/v1/models`, { headers: { 'x-api-key': token } });
    expect(((await models.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });
});

describe('gateway: the official @anthropic-ai/sdk', () => {
  const client = () => new Anthropic({ baseURL: gateway.server.url, apiKey: token, maxRetries: 0 });

  it('creates a message', async () => {
    mock.setScript([text('SDK hello', { input_tokens: 10, output_tokens: 3 })]);
    const message = await client().messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'SDK hello' });
    expect(message.usage).toMatchObject({ input_tokens: 10, output_tokens: 3 });
  });

  it('streams a message and reassembles it', async () => {
    mock.setScript([text('Streamed through the gateway', { input_tokens: 10, output_tokens: 6 })]);
    const stream = client().messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Streamed through the gateway' });
    expect(await lastUsage()).toMatchObject({
      model: 'claude-haiku-4-5',
      stream: true,
      tokens: { output: 6 },
    });
  });

  it('surfaces an upstream error as the SDK error of that type', async () => {
    mock.setScript([apiError(400, 'invalid_request_error', 'max_tokens: too large')]);
    await expect(
      client().messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: 400, error: { error: { type: 'invalid_request_error' } } });
  });
});
