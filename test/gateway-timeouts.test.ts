// Upstream timeouts (gateway.upstreams[].timeout_ms and idle_timeout_ms), set to a few hundred ms: an
// upstream that never answers gets the client a 502, one that goes silent mid-stream ends the stream with
// an SSE error event and a `cut` record billed what was streamed; one that keeps talking is never cut.

import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../src/core/pricing/price-table.ts';
import { costMicroDollars } from '../src/core/pricing/usage-cost.ts';
import { inspectMessagesRequest } from '../src/features/gateway/messages-request.ts';
import type { UsageRecord } from '../src/storage/usage-port.ts';
import { type ExampleServer, startExampleServer } from './support/example-server.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';
import { waitFor } from './support/wait-for.ts';

const USER = 'alice@acme.test';
const MODEL = 'claude-sonnet-5';
const TIMEOUT_MS = 300;
const IDLE_TIMEOUT_MS = 300;

const sse = (event: { type: string; [field: string]: unknown }) =>
  `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

const MESSAGE_START = sse({
  type: 'message_start',
  message: {
    id: 'msg_t',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [],
    stop_reason: null,
    usage: { input_tokens: 2000, output_tokens: 1 },
  },
});
const BLOCK_START = sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
/** 25 text deltas of 40 characters: 1,000 characters, a floor of 250 output tokens. */
const DELTAS = Array.from({ length: 25 }, () =>
  sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'y'.repeat(40) } }),
).join('');
const ENDING =
  sse({ type: 'content_block_stop', index: 0 }) +
  sse({
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 300 },
  }) +
  sse({ type: 'message_stop' });

/** A delta event cut off inside its text: its end never comes. */
const HALF_EVENT =
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"yyy';

/** What the upstream does with the next requests; each test sets it. */
type Behaviour =
  | 'no-head'
  | 'silent-after-head'
  | 'silent-mid-stream'
  | 'silent-mid-event'
  | 'silent-mid-json'
  | 'slow-but-talking';
let behaviour: Behaviour = 'no-head';
let upstream: Server;
let upstreamUrl: string;
let hits = 0;
/** Upstream responses whose connection closed before they were finished (the gateway gave up on them). */
let closedEarly = 0;
const timers = new Set<NodeJS.Timeout>();

function serve(request: IncomingMessage, response: ServerResponse): void {
  hits++;
  request.resume();
  request.on('end', () => {
    response.on('close', () => {
      if (!response.writableFinished) closedEarly++;
    });
    switch (behaviour) {
      case 'no-head':
        return; // not even the headers: only the gateway's headers timeout ends it
      case 'silent-after-head':
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.flushHeaders();
        return;
      case 'silent-mid-stream':
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(MESSAGE_START + BLOCK_START + DELTAS);
        return;
      case 'silent-mid-event':
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(MESSAGE_START + BLOCK_START + HALF_EVENT);
        return;
      case 'silent-mid-json':
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '4000' });
        response.write(
          '{"id":"msg_j","type":"message","role":"assistant","content":[{"type":"text","text":"',
        );
        return;
      case 'slow-but-talking': {
        // Longer in all than either timeout, but never silent for as long as the idle timeout.
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(MESSAGE_START + BLOCK_START);
        let pings = 0;
        const timer = setInterval(() => {
          if (++pings <= 6) {
            response.write(sse({ type: 'ping' }));
            return;
          }
          clearInterval(timer);
          timers.delete(timer);
          response.end(DELTAS + ENDING);
        }, 100);
        timers.add(timer);
      }
    }
  });
}

let work: Awaited<ReturnType<typeof tempDir>>;
let gateway: ExampleServer;
let token: string;

beforeAll(async () => {
  upstream = createServer(serve);
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  work = await tempDir('llm-rules-timeouts-');
  const config = await copyExampleConfig(work.path);
  const yaml = await readFile(join(config, 'config.yaml'), 'utf8');
  await writeFile(
    join(config, 'config.yaml'),
    `${yaml}\ngateway:\n  upstreams:\n` +
      `    - { name: anthropic, provider: anthropic, base_url: "${upstreamUrl}", api_key: "\${ANTHROPIC_API_KEY}",` +
      ` timeout_ms: ${TIMEOUT_MS}, idle_timeout_ms: ${IDLE_TIMEOUT_MS}, retries: 1 }\n`,
  );
  gateway = await startExampleServer({ configDir: config, users: [USER], env: { ANTHROPIC_API_KEY: 'k' } });
  token = gateway.tokens[USER]!;
});

afterAll(async () => {
  await gateway?.server.close();
  for (const timer of timers) clearInterval(timer);
  upstream?.closeAllConnections();
  upstream?.close();
  await work?.remove();
});

const body = (stream: boolean) =>
  JSON.stringify({ model: MODEL, max_tokens: 1000, stream, messages: [{ role: 'user', content: 'go' }] });

function send(stream = true) {
  return fetch(`${gateway.server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': token, 'anthropic-version': '2023-06-01' },
    body: body(stream),
  });
}

/** The usage record of the newest request, once the recorder has written it. */
async function lastUsage(): Promise<UsageRecord> {
  await gateway.server.usage.flush();
  return (await gateway.server.storage.usage.list('acme')).at(-1)!;
}

const estimatedInput = (stream: boolean) =>
  inspectMessagesRequest(Buffer.from(body(stream))).estimatedInputTokens;

describe('gateway: upstream timeouts', () => {
  it('answers 502 api_error when the upstream sends no headers within timeout_ms, after its retries', async () => {
    behaviour = 'no-head';
    hits = 0;
    const started = performance.now();
    const response = await send();
    const elapsed = performance.now() - started;
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringMatching(/No upstream could be reached.*Timeout/) },
    });
    // The try and its one retry each waited timeout_ms, far from the 600 s default. undici's timeouts
    // run on its coarse timers (a tick of about half a second), so each fires up to a second late.
    expect(hits).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(2 * TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(6000);
    expect(await lastUsage()).toMatchObject({
      status: 502,
      outcome: 'upstream_error',
      costMicro: 0,
      tokens: { input: 0, output: 0 },
      ttfbMs: null,
    });
  });

  it('ends a stream that goes silent for idle_timeout_ms with an SSE error event, billing what was streamed', async () => {
    behaviour = 'silent-mid-stream';
    hits = 0;
    closedEarly = 0;
    const started = performance.now();
    const response = await send();
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 20);
    expect(text.startsWith(MESSAGE_START + BLOCK_START + DELTAS)).toBe(true);
    expect(text.slice((MESSAGE_START + BLOCK_START + DELTAS).length)).toMatch(
      /^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"[^"]+"\}\}\n\n$/,
    );
    expect(hits).toBe(1); // the answer had started: nothing is retried
    const usage = await lastUsage();
    // The input message_start reported; the output at the floor of 1,000 streamed characters.
    const tokens = { input: 2000, output: 250, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
    expect(usage).toMatchObject({ status: 200, outcome: 'cut', stream: true, model: MODEL, tokens });
    expect(usage.costMicro).toBe(costMicroDollars(tokens, DEFAULT_PRICES[MODEL]!));
    expect(usage.costMicro).toBe(2000 * 2 + 250 * 10);
    // The gateway let go of the silent upstream response.
    await waitFor(async () => closedEarly === 1, 2000);
  });

  it('bills the estimated input when a stream goes silent before any usage arrived', async () => {
    behaviour = 'silent-after-head';
    const text = await (await send()).text();
    expect(text).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"api_error"/);
    const usage = await lastUsage();
    const tokens = { input: estimatedInput(true), output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
    expect(usage).toMatchObject({ status: 200, outcome: 'cut', tokens });
    expect(usage.costMicro).toBe(costMicroDollars(tokens, DEFAULT_PRICES[MODEL]!));
  });

  it('closes the connection of a JSON answer that goes silent, billing its estimated input', async () => {
    behaviour = 'silent-mid-json';
    const response = await send(false);
    expect(response.status).toBe(200);
    // The client was promised 4,000 bytes and got fewer: its read fails rather than ending cleanly.
    await expect(response.text()).rejects.toThrow();
    const usage = await lastUsage();
    const tokens = {
      input: estimatedInput(false),
      output: 0,
      cacheWrite5m: 0,
      cacheWrite1h: 0,
      cacheRead: 0,
    };
    expect(usage).toMatchObject({ status: 200, stream: false, tokens });
    expect(usage.costMicro).toBe(costMicroDollars(tokens, DEFAULT_PRICES[MODEL]!));
    // Ended early: `cut` (docs/gateway.md, Metering), though what came is not JSON either.
    expect(usage.outcome).toBe('cut');
  });

  it('ends a stream silenced mid-event with the events before it and a separate, parseable error event', async () => {
    behaviour = 'silent-mid-event';
    const text = await (await send()).text();
    // The half event is not passed on, so every event the client reads is whole JSON.
    expect(text.startsWith(MESSAGE_START + BLOCK_START)).toBe(true);
    const events = text.split('\n\n').filter(Boolean);
    const data = events.map((event) => JSON.parse(event.split('\ndata: ')[1]!) as { type: string });
    expect(data.map((d) => d.type)).toEqual(['message_start', 'content_block_start', 'error']);
    expect(data[2]).toEqual({
      type: 'error',
      error: {
        type: 'api_error',
        message: 'The upstream sent nothing for too long, so the gateway closed the stream; try again.',
      },
    });
    expect(text.endsWith('\n\n')).toBe(true);
    expect(await lastUsage()).toMatchObject({ status: 200, outcome: 'cut', stream: true });
  });

  it('lets a stream that lasts longer than both timeouts finish, as long as it is never silent that long', async () => {
    behaviour = 'slow-but-talking';
    const started = performance.now();
    const text = await (await send()).text();
    expect(performance.now() - started).toBeGreaterThan(TIMEOUT_MS + IDLE_TIMEOUT_MS);
    expect(text).not.toContain('event: error');
    expect(text.endsWith(sse({ type: 'message_stop' }))).toBe(true);
    expect(await lastUsage()).toMatchObject({
      status: 200,
      outcome: 'complete',
      tokens: { input: 2000, output: 300 },
    });
  });
});
