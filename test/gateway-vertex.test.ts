// Google Vertex AI as the upstream, against mocks of its wire format and of the GCE metadata server that
// application default credentials take their access token from (GCE_METADATA_HOST), and rawPredict /
// streamRawPredict / count-tokens:rawPredict get the body Vertex expects.

import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vertexModelId } from '../src/features/gateway/providers/vertex/vertex-provider.ts';
import { createLogger } from '../src/http/create-logger.ts';
import {
  COUNTED_PARAMS,
  expectCountAllowlisted,
  expectCountUnsupported,
  expectModelsNotFound,
  expectSafeguardsRefused,
  gatewayRequests,
  HELLO,
} from './support/cloud-count.ts';
import { type ExampleServer, startExampleServer } from './support/example-server.ts';
import { buildMessage, encodeEvent, streamEvents } from './support/mock-anthropic/message-events.ts';
import { text } from './support/mock-anthropic/script.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

const ACCESS_TOKEN = 'ya29.test-access-token';
/** Every metadata-server request: whether it carried `Metadata-Flavor: Google`, and its path. */
const tokenRequests: { flavored: boolean; path: string }[] = [];
const vertexRequests: {
  path: string;
  authorization: string | undefined;
  beta: string | undefined;
  body: Record<string, unknown>;
}[] = [];
/** The next request's answer, when a test wants Vertex to refuse it. */
let nextError: { status: number; body: string } | undefined;
/** What the gateway logged (warn and above). */
const logged: Record<string, unknown>[] = [];

const COUNT_TOKENS_PATH =
  '/v1/projects/acme-ai/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict';
/** A model Vertex cannot count tokens for, by its client-side id. */
const UNCOUNTABLE_MODEL = 'claude-3-haiku-20240307';

/** The mock's token count: a function of what decides the input tokens, so a dropped or changed member shows. */
function mockTokenCount(body: Record<string, unknown>): number {
  const { model, system, messages, tools, tool_choice, thinking } = body;
  return Math.ceil(JSON.stringify([model, system, messages, tools, tool_choice, thinking]).length / 4);
}

/** Google's error envelope. */
const googleError = (status: number, code: string, message: string) => ({
  status,
  body: JSON.stringify({ error: { code: status, message, status: code } }),
});

/** What Vertex's count refuses in a body, as Google's error; undefined for a body it counts. */
function countProblem(body: Record<string, unknown>): { status: number; body: string } | undefined {
  const model = body.model;
  // A Vertex model id (`claude-3-haiku@20240307`), not the Anthropic API's (`claude-3-haiku-20240307`).
  if (typeof model !== 'string' || /-\d{8}$/.test(model)) {
    return googleError(400, 'INVALID_ARGUMENT', `model: ${String(model)} is not a Vertex model id`);
  }
  if (model === vertexModelId(UNCOUNTABLE_MODEL, {})) {
    const where = `projects/acme-ai/locations/us-east5/publishers/anthropic/models/${model}`;
    return googleError(400, 'FAILED_PRECONDITION', `Token counting is not supported for ${where}.`);
  }
  const extraneous = ['tags', 'safeguards', 'stream'].find((key) => key in body);
  if (extraneous)
    return googleError(400, 'INVALID_ARGUMENT', `${extraneous}: Extra inputs are not permitted`);
  return undefined;
}

function readBody(request: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

let google: Server;
let vertex: Server;
let work: Awaited<ReturnType<typeof tempDir>>;
let gateway: ExampleServer;

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  google = createServer((request, response) => {
    const flavored = request.headers['metadata-flavor'] === 'Google';
    tokenRequests.push({ flavored, path: request.url ?? '' });
    response.setHeader('Metadata-Flavor', 'Google');
    if (request.url?.startsWith('/computeMetadata/v1/instance/service-accounts/default/token')) {
      response.writeHead(flavored ? 200 : 403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: ACCESS_TOKEN, expires_in: 3600, token_type: 'Bearer' }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(request.url?.includes('project-id') ? 'acme-ai' : '');
  });
  vertex = createServer(async (request, response) => {
    const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    const beta = request.headers['anthropic-beta'] as string | undefined;
    vertexRequests.push({ path: request.url!, authorization: request.headers.authorization, beta, body });
    if (nextError) {
      response.writeHead(nextError.status, { 'content-type': 'application/json' });
      response.end(nextError.body);
      nextError = undefined;
      return;
    }
    if (request.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: { code: 401, message: 'Request had invalid authentication credentials.' } }),
      );
      return;
    }
    if (request.url === COUNT_TOKENS_PATH) {
      const refused = countProblem(body);
      response.writeHead(refused?.status ?? 200, { 'content-type': 'application/json' });
      response.end(refused?.body ?? JSON.stringify({ input_tokens: mockTokenCount(body) }));
      return;
    }
    const message = buildMessage(
      text('Hello from Vertex', { input_tokens: 30, output_tokens: 4 }),
      { model: 'claude-sonnet-4-5', messages: [] } as never,
      { message: 'msg_vtx', turn: 1 },
    );
    if (request.url!.endsWith(':rawPredict')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(message));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const event of streamEvents(message)) response.write(encodeEvent(event));
    response.end();
  });
  const googleUrl = await listen(google);
  const vertexUrl = await listen(vertex);
  // Application default credentials on GCE / GKE: google-auth-library asks the metadata server.
  process.env.GCE_METADATA_HOST = googleUrl.replace('http://', '');
  work = await tempDir('llm-rules-vertex-');
  const config = await copyExampleConfig(work.path);
  const yaml = await readFile(join(config, 'config.yaml'), 'utf8');
  await writeFile(
    join(config, 'config.yaml'),
    `${yaml}\ngateway:\n  upstreams:\n    - name: gcp\n      provider: vertex\n      base_url: "${vertexUrl}"\n` +
      `      region: us-east5\n      project_id: acme-ai\n      retries: 0\n` +
      `  models:\n    - { scope: tenant, deny: ["claude-opus-*"] }\n`,
  );
  gateway = await startExampleServer({
    configDir: config,
    users: ['alice@acme.test'],
    logger: createLogger('warn', { write: (line: string) => logged.push(JSON.parse(line)) }),
  });
});
afterAll(async () => {
  delete process.env.GCE_METADATA_HOST;
  await gateway?.server.close();
  for (const server of [google, vertex]) {
    server?.closeAllConnections();
    server?.close();
  }
  await work?.remove();
});

const client = () =>
  new Anthropic({ baseURL: gateway.server.url, apiKey: gateway.tokens['alice@acme.test']!, maxRetries: 0 });

describe('gateway: Google Vertex AI upstream', () => {
  it('maps model ids to Vertex ids', () => {
    expect(vertexModelId('claude-sonnet-4-5-20250929', {})).toBe('claude-sonnet-4-5@20250929');
    expect(vertexModelId('claude-sonnet-5', {})).toBe('claude-sonnet-5');
    // A name on Object's prototype is a model id like any other, not a mapping.
    expect(vertexModelId('constructor', {})).toBe('constructor');
    expect(vertexModelId('claude-sonnet-5', { 'claude-sonnet-5': 'claude-sonnet-5@20260801' })).toBe(
      'claude-sonnet-5@20260801',
    );
  });

  it('takes a token from the metadata server and calls rawPredict with the body Vertex expects', async () => {
    const message = await client().messages.create({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Hello from Vertex' });
    // The token came from the metadata server, asked the way Google requires (Metadata-Flavor: Google).
    const tokenCalls = tokenRequests.filter((t) => t.path.includes('/service-accounts/default/token'));
    expect(tokenCalls.length).toBeGreaterThan(0);
    expect(tokenCalls.every((t) => t.flavored)).toBe(true);
    expect(vertexRequests.at(-1)!.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    const request = vertexRequests.at(-1)!;
    expect(request.path).toBe(
      '/v1/projects/acme-ai/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5%4020250929:rawPredict',
    );
    expect(request.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', max_tokens: 64 });
    expect(request.body).not.toHaveProperty('model');
  });

  it('streams through streamRawPredict, reuses the cached token, and meters the stream', async () => {
    const before = tokenRequests.filter((t) => t.path.includes('/token')).length;
    const final = await client()
      .messages.stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Hello from Vertex' });
    expect(vertexRequests.at(-1)!.path).toMatch(/models\/claude-sonnet-4-5:streamRawPredict$/);
    expect(vertexRequests.at(-1)!.body).toMatchObject({ stream: true });
    expect(tokenRequests.filter((t) => t.path.includes('/token')).length).toBe(before);
    await gateway.server.usage.flush();
    expect((await gateway.server.storage.usage.list('acme')).at(-1)).toMatchObject({
      upstream: 'gcp',
      stream: true,
      outcome: 'complete',
      tokens: { input: 30, output: 4 },
    });
  });

  it('leaves the request tags out of the body and their beta out of anthropic-beta', async () => {
    const answer = await send(
      { ...HELLO, tags: { team: 'x' } },
      { 'anthropic-beta': 'request-tags-2026-08-21, claude-code-20250219' },
    );
    expect(answer.status).toBe(200);
    expect(vertexRequests.at(-1)!.body).not.toHaveProperty('tags');
    expect(vertexRequests.at(-1)!.beta).toBe('claude-code-20250219');
    // Only the request tags beta: no anthropic-beta header at all.
    await send({ ...HELLO, tags: { team: 'x' } }, { 'anthropic-beta': 'request-tags-2026-08-21' });
    expect(vertexRequests.at(-1)!.beta).toBeUndefined();
  });

  it("refuses auto mode's safeguards with a 400 naming them, before Vertex, so Claude Code retries without", async () => {
    await expectSafeguardsRefused(send, () => vertexRequests.length);
  });

  it('answers /v1/models with 404, which Claude Code takes as "use the built-in model list"', async () => {
    await expectModelsNotFound(gateway, () => vertexRequests.length, logged);
  });

  it("answers count_tokens with Vertex's count-tokens, on the Vertex model id", async () => {
    const params = COUNTED_PARAMS;
    const counted = await client().messages.countTokens(params, {
      headers: { 'anthropic-beta': 'claude-code-20250219,request-tags-2026-08-21' },
    });
    const request = vertexRequests.at(-1)!;
    const sent = { ...params, model: 'claude-sonnet-4-5@20250929' };
    expect(counted).toEqual({ input_tokens: mockTokenCount(sent) });
    expect(request.path).toBe(COUNT_TOKENS_PATH);
    expect(request.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.beta).toBe('claude-code-20250219');
    // As on rawPredict (and as Anthropic's Vertex SDK counts), with anthropic_version.
    expect(request.body).toEqual({ ...sent, anthropic_version: 'vertex-2023-10-16' });
  });

  it("leaves the request tags, auto mode's safeguards and what counts nothing out of a count", async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    const answer = await send(
      { ...HELLO, messages, tags: { team: 'x' }, safeguards: { auto_mode: true }, tools: [] },
      { 'anthropic-beta': 'request-tags-2026-08-21' },
      '/v1/messages/count_tokens?beta=true',
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await answer.json()).toEqual({
      input_tokens: mockTokenCount({ model: 'claude-sonnet-4-5', messages }),
    });
    const request = vertexRequests.at(-1)!;
    expect(request.path).toBe(COUNT_TOKENS_PATH);
    expect(request.beta).toBeUndefined();
    expect(request.body).toEqual({
      anthropic_version: 'vertex-2023-10-16',
      model: 'claude-sonnet-4-5',
      messages,
    });
  });

  it("answers 501 when Vertex cannot count, its message only in the gateway's log", async () => {
    const unsupported = (upstreamStatus: number, model = 'claude-sonnet-4-5') =>
      expectCountUnsupported(() => count(model), {
        upstream: 'gcp',
        label: 'Vertex',
        upstreamStatus,
        hidden: /acme-ai|Token counting|input_tokens|claude-3-haiku/,
        logged,
      });

    expect(await unsupported(400, UNCOUNTABLE_MODEL)).toBe(
      'Token counting is not supported for projects/acme-ai/locations/us-east5/publishers/anthropic/models/claude-3-haiku@20240307.',
    );
    expect(vertexRequests.at(-1)!.path).toBe(COUNT_TOKENS_PATH);

    nextError = googleError(
      403,
      'PERMISSION_DENIED',
      "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme-ai'.",
    );
    expect(await unsupported(403)).toContain('acme-ai');

    nextError = { status: 200, body: JSON.stringify({ tokens: 12 }) };
    expect(await unsupported(200)).toMatch(/without input_tokens/);
  });

  it("holds a count to the caller's model allowlist before Vertex is asked", async () => {
    await expectCountAllowlisted(count, () => vertexRequests.length);
  });

  it("relays the message of Anthropic's own 400 envelope, and hides Google's errors behind a generic one", async () => {
    nextError = {
      status: 400,
      body: JSON.stringify({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'prompt is too long: 210000 tokens > 200000 maximum',
        },
      }),
    };
    const long = await send(HELLO);
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' },
    });

    const where = 'projects/acme-ai/locations/us-east5/publishers/anthropic/models/claude-opus-9';
    nextError = {
      status: 404,
      body: JSON.stringify({
        error: { code: 404, message: `Publisher Model \`${where}\` not found.`, status: 'NOT_FOUND' },
      }),
    };
    const missing = await send(HELLO);
    expect(missing.status).toBe(404);
    const body = (await missing.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('not_found_error');
    expect(body.error.message).not.toContain('acme-ai');
    await gateway.server.usage.flush();
    expect((await gateway.server.storage.usage.list('acme')).at(-1)).toMatchObject({
      status: 404,
      outcome: 'upstream_error',
    });
  });

  it("sends Vertex's request-size 400 as `Input is too long.`, for Claude Code's recovery", async () => {
    for (const message of [
      'The request size (30037042 bytes) exceeds 30.000MB limit.',
      'The message size (31457281 bytes) exceeds 30.000MB limit.',
    ]) {
      nextError = {
        status: 400,
        body: JSON.stringify({ error: { code: 400, message, status: 'INVALID_ARGUMENT' } }),
      };
      const big = await send(HELLO);
      expect(big.status).toBe(400);
      expect(await big.json()).toEqual({
        type: 'error',
        error: { type: 'invalid_request_error', message: 'Input is too long.' },
      });
    }
  });
});

const { send, count } = gatewayRequests(() => gateway);
