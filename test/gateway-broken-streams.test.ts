// Streams that do not end well: the client aborts, the upstream cuts, the upstream sends garbage.
// Each is billed what was sent, and the client gets either nothing more (it left) or a clean error.

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../src/storage/usage-port.ts';
import { type ExampleServer, startExampleServer } from './support/example-server.ts';

const USER = 'alice@acme.test';

/** `message_start` (naming the model asked for) with usage, then `deltas` text deltas of 40 characters each. */
function opening(model: string, deltas: number): string {
  const events = [
    {
      type: 'message_start',
      message: {
        id: 'msg_x',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        usage: { input_tokens: 2000, output_tokens: 1 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ...Array.from({ length: deltas }, () => ({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'y'.repeat(40) },
    })),
  ];
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

/** An upstream whose behaviour each test picks with the model name. */
let upstream: Server;
let upstreamUrl: string;
const closedEarly: string[] = [];

function serve(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => {
    const { model } = JSON.parse(Buffer.concat(chunks).toString()) as { model: string };
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(opening(model, 25)); // 1,000 characters of text
    response.on('close', () => {
      if (!response.writableFinished) closedEarly.push(model);
    });
    if (model === 'hang') return; // never finishes: only the client can end it
    if (model === 'cut') {
      setTimeout(() => response.socket?.destroy(), 20);
      return;
    }
    if (model === 'garbage') {
      response.write('event: content_block_delta\ndata: {"type":"content_block_delta", this is not json\n\n');
      setTimeout(() => response.end(), 20);
    }
  });
}

let gateway: ExampleServer;
let token: string;

beforeAll(async () => {
  upstream = createServer(serve);
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startExampleServer({ users: [USER], upstreamUrl, env: { ANTHROPIC_API_KEY: 'k' } });
  token = gateway.tokens[USER]!;
});

afterAll(async () => {
  await gateway?.server.close();
  upstream?.closeAllConnections();
  upstream?.close();
});

async function usageOf(model: string): Promise<UsageRecord> {
  for (let i = 0; i < 100; i++) {
    await gateway.server.usage.flush();
    const found = (await gateway.server.storage.usage.list('acme')).filter((r) => r.model === model);
    if (found.length > 0) {
      expect(found).toHaveLength(1);
      return found[0]!;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no usage record for ${model}`);
}

function send(model: string, signal?: AbortSignal) {
  return fetch(`${gateway.server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': token, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model,
      max_tokens: 1000,
      stream: true,
      messages: [{ role: 'user', content: 'go' }],
    }),
    ...(signal ? { signal } : {}),
  });
}

describe('gateway: streams that end badly', () => {
  it('cancels the upstream request when the client aborts, and bills what was streamed', async () => {
    const controller = new AbortController();
    const response = await send('hang', controller.signal);
    const reader = response.body!.getReader();
    await reader.read(); // the first bytes arrived
    controller.abort();
    const usage = await usageOf('hang');
    expect(usage.outcome).toBe('aborted');
    expect(usage.tokens.input).toBe(2000);
    // 1,000 characters streamed: at least 250 output tokens, though the upstream never said how many.
    expect(usage.tokens.output).toBeGreaterThanOrEqual(250);
    expect(usage.costMicro).toBeGreaterThan(0);
    for (let i = 0; i < 50 && !closedEarly.includes('hang'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(closedEarly).toContain('hang');
  });

  it('ends a stream the upstream cut with an error event, and bills what was streamed', async () => {
    const body = await (await send('cut')).text();
    expect(body).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error"/);
    const usage = await usageOf('cut');
    expect(usage).toMatchObject({ outcome: 'cut', status: 200, tokens: { input: 2000 } });
    expect(usage.tokens.output).toBeGreaterThanOrEqual(250);
  });

  it('gives the client a clean error for a malformed stream, and still records its usage', async () => {
    const body = await (await send('garbage')).text();
    expect(body).not.toContain('this is not json');
    expect(body).toMatch(/event: error\n.*malformed event stream/);
    const usage = await usageOf('garbage');
    expect(usage).toMatchObject({ outcome: 'malformed', tokens: { input: 2000 } });
    expect(usage.tokens.output).toBeGreaterThanOrEqual(250);
  });

  it('the SDK reports a cut stream as an API error, not a hang or a crash', async () => {
    const client = new Anthropic({ baseURL: gateway.server.url, apiKey: token, maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'cut',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'go' }],
    });
    await expect(stream.finalMessage()).rejects.toThrow(/closed the stream before it finished/);
  });
});
