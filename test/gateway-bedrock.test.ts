// Amazon Bedrock as the upstream, against a mock of its wire format: SigV4-signed InvokeModel,
// InvokeModelWithResponseStream and CountTokens calls (checked by re-signing with the AWS SDK's own
// signer), the body reshaped for Bedrock, and binary event-stream frames turned back into SSE that the
// SDK and metering read.

import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedrockModelId } from '../src/features/gateway/providers/bedrock/bedrock-provider.ts';
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
import { buildMessage, streamEvents } from './support/mock-anthropic/message-events.ts';
import { text } from './support/mock-anthropic/script.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

const KEY_ID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const codec = new EventStreamCodec(toUtf8, fromUtf8);

interface Seen {
  path: string;
  body: Record<string, unknown>;
  signatureValid: boolean;
  /** A CountTokens call's InvokeModel body, decoded from its base64. */
  counted?: Record<string, unknown>;
}
const seen: Seen[] = [];
let throttleMidStream = false;
let cutMidStream = false;
/** The next request's answer, when a test wants Bedrock to refuse it. */
let nextError: { status: number; body: string; headers?: Record<string, string> } | undefined;
/** An inference profile's ARN, as Bedrock's messages name them: the AWS account must not reach clients. */
const PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5';

/** What the gateway logged (warn and above). */
const logged: Record<string, unknown>[] = [];

/** A model Bedrock's CountTokens refuses (not every model supports counting), by its client-side id. */
const UNCOUNTABLE_MODEL = 'claude-3-haiku-20240307';
/** An application inference profile, which `model_ids` maps a client-side id to. */
const APP_PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3';
/** The betas the mock's CountTokens takes: any other makes it refuse the count. */
const COUNTABLE_BETAS = new Set(['claude-code-20250219']);

/** The mock's token count: a function of what decides the input tokens, so a dropped or changed member shows. */
function mockTokenCount(body: Record<string, unknown>): number {
  const { system, messages, tools, tool_choice, thinking } = body;
  return Math.ceil(JSON.stringify([system, messages, tools, tool_choice, thinking]).length / 4);
}

interface MockAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const validationException = (message: string): MockAnswer => ({
  status: 400,
  body: JSON.stringify({ message }),
  headers: { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/' },
});

/** What Bedrock's CountTokens refuses in an InvokeModel body, as a ValidationException's message. */
function invokeBodyProblem(modelId: string, invoke: Record<string, unknown>): string | undefined {
  // Foundation-model ids only: a cross-region inference profile (`us.…`) or an ARN is refused.
  if (!modelId.startsWith('anthropic.')) return 'The provided model identifier is invalid.';
  if (modelId === `anthropic.${UNCOUNTABLE_MODEL}-v1:0`) {
    return "The provided model doesn't support counting tokens.";
  }
  if (invoke.anthropic_version !== 'bedrock-2023-05-31') return 'anthropic_version: required';
  const extraneous = ['model', 'stream', 'tags'].find((key) => key in invoke);
  if (extraneous) return `extraneous key [${extraneous}] is not permitted`;
  const budget = (invoke.thinking as { budget_tokens?: number } | undefined)?.budget_tokens ?? 0;
  if (typeof invoke.max_tokens !== 'number' || invoke.max_tokens <= budget) {
    return 'max_tokens must be greater than thinking.budget_tokens';
  }
  if (Array.isArray(invoke.tools) && invoke.tools.length === 0) return 'tools: list must not be empty';
  const betas = (invoke.anthropic_beta ?? []) as string[];
  if (betas.some((beta) => !COUNTABLE_BETAS.has(beta))) return 'invalid beta flag';
  return undefined;
}

/** CountTokens: `{"input":{"invokeModel":{"body":"<base64 InvokeModel body>"}}}` → `{"inputTokens":N}`. */
function countTokensAnswer(url: string, payload: Record<string, unknown>, arrived: Seen): MockAnswer {
  const modelId = decodeURIComponent(url.split('/')[2]!);
  const encoded = (payload.input as { invokeModel?: { body?: unknown } } | undefined)?.invokeModel?.body;
  if (Object.keys(payload).join() !== 'input' || typeof encoded !== 'string') {
    return validationException('Malformed input request');
  }
  const invoke = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, unknown>;
  arrived.counted = invoke;
  const problem = invokeBodyProblem(modelId, invoke);
  if (problem) return validationException(problem);
  return { status: 200, body: JSON.stringify({ inputTokens: mockTokenCount(invoke) }) };
}

function frame(headers: Record<string, string>, body: string): Uint8Array {
  return codec.encode({
    headers: Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, { type: 'string' as const, value: v }]),
    ),
    body: fromUtf8(body),
  });
}

async function signatureValid(request: IncomingMessage, body: Buffer, port: number): Promise<boolean> {
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({
    service: 'bedrock',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
  const resigned = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: request.url!,
      headers: {
        host: String(request.headers.host),
        'content-type': String(request.headers['content-type']),
        accept: String(request.headers.accept),
      },
      body,
    },
    { signingDate },
  );
  return resigned.headers.authorization === request.headers.authorization;
}

let bedrock: Server;
let bedrockUrl: string;
let work: Awaited<ReturnType<typeof tempDir>>;
let gateway: ExampleServer;

beforeAll(async () => {
  bedrock = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString()) as Record<string, unknown>;
      const arrived: Seen = {
        path: request.url!,
        body,
        signatureValid: await signatureValid(request, raw, (bedrock.address() as AddressInfo).port),
      };
      seen.push(arrived);
      const counted = request.url!.endsWith('/count-tokens')
        ? countTokensAnswer(request.url!, body, arrived)
        : undefined;
      const answer = nextError ?? counted;
      if (answer) {
        nextError = undefined;
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(answer.body);
        return;
      }
      const message = buildMessage(
        text('Hello from Bedrock', { input_tokens: 40, output_tokens: 5 }),
        { model: 'claude-sonnet-4-5', messages: [] } as never,
        { message: 'msg_bdrk', turn: 1 },
      );
      if (request.url!.endsWith('/invoke')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(message));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      const events = streamEvents(message);
      for (const [i, event] of events.entries()) {
        if (cutMidStream && i === 3) {
          // After the first frames have gone out, the connection dies.
          setTimeout(() => response.socket?.destroy(), 30);
          return;
        }
        if (throttleMidStream && i === 3) {
          response.end(
            frame(
              {
                ':message-type': 'exception',
                ':exception-type': 'throttlingException',
                ':content-type': 'application/json',
              },
              `{"message":"Too many tokens for ${PROFILE_ARN}"}`,
            ),
          );
          return;
        }
        const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
        const encoded = Buffer.from(
          frame(
            { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
            JSON.stringify({ bytes, p: 'abc' }),
          ),
        );
        // Frames split across writes: the gateway must reassemble them.
        response.write(encoded.subarray(0, 7));
        response.write(encoded.subarray(7));
      }
      response.end();
    });
  });
  bedrock.listen(0, '127.0.0.1');
  await once(bedrock, 'listening');
  bedrockUrl = `http://127.0.0.1:${(bedrock.address() as AddressInfo).port}`;
  work = await tempDir('llm-rules-bedrock-');
  const config = await copyExampleConfig(work.path);
  const yaml = await readFile(join(config, 'config.yaml'), 'utf8');
  await writeFile(
    join(config, 'config.yaml'),
    `${yaml}\ngateway:\n  upstreams:\n    - name: aws\n      provider: bedrock\n      base_url: "${bedrockUrl}"\n` +
      `      region: us-east-1\n      aws_access_key_id: ${KEY_ID}\n      aws_secret_access_key: \${AWS_SECRET}\n      retries: 0\n` +
      `      model_ids: { claude-sonnet-4-5-app: "${APP_PROFILE_ARN}" }\n` +
      `  models:\n    - { scope: tenant, deny: ["claude-opus-*"] }\n`,
  );
  gateway = await startExampleServer({
    configDir: config,
    users: ['alice@acme.test'],
    env: { AWS_SECRET: SECRET },
    logger: createLogger('warn', { write: (line: string) => logged.push(JSON.parse(line)) }),
  });
});
afterAll(async () => {
  await gateway?.server.close();
  bedrock?.closeAllConnections();
  bedrock?.close();
  await work?.remove();
});

const client = () =>
  new Anthropic({ baseURL: gateway.server.url, apiKey: gateway.tokens['alice@acme.test']!, maxRetries: 0 });

describe('gateway: Amazon Bedrock upstream', () => {
  it('keeps the secret key out of the stored bundle (its ${ENV} reference is resolved per request)', () => {
    const upstream = gateway.server.bundle.current()!.content.config.gateway.upstreams[0]!;
    expect(upstream.aws_secret_access_key).toBe('${AWS_SECRET}');
    expect(JSON.stringify(gateway.server.bundle.current()!.content)).not.toContain(SECRET);
  });

  it('maps model ids to Bedrock ids', () => {
    expect(bedrockModelId('claude-sonnet-4-5-20250929', {})).toBe(
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
    );
    expect(bedrockModelId('us.anthropic.claude-haiku-4-5-20251001-v1:0', {})).toBe(
      'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    );
    expect(
      bedrockModelId('claude-sonnet-5', { 'claude-sonnet-5': 'global.anthropic.claude-sonnet-5-v1:0' }),
    ).toBe('global.anthropic.claude-sonnet-5-v1:0');
    // A name on Object's prototype is a model id like any other, not a mapping.
    expect(bedrockModelId('constructor', {})).toBe('anthropic.constructor-v1:0');
  });

  it('sends a signed InvokeModel with the body Bedrock expects, and relays the message', async () => {
    const message = await client().messages.create(
      { model: 'claude-sonnet-4-5-20250929', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14, context-1m-2025-08-07' } },
    );
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Hello from Bedrock' });
    const request = seen.at(-1)!;
    expect(request.path).toBe('/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke');
    expect(request.signatureValid).toBe(true);
    expect(request.body).toMatchObject({
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07'],
      max_tokens: 64,
    });
    expect(request.body).not.toHaveProperty('model');
    expect(request.body).not.toHaveProperty('stream');
  });

  it('turns the binary event stream into SSE, which the SDK reassembles and the gateway meters', async () => {
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Hello from Bedrock' });
    expect(seen.at(-1)!.path).toBe('/model/anthropic.claude-sonnet-4-5-v1%3A0/invoke-with-response-stream');
    expect(seen.at(-1)!.signatureValid).toBe(true);
    await gateway.server.usage.flush();
    expect((await gateway.server.storage.usage.list('acme')).at(-1)).toMatchObject({
      upstream: 'aws',
      stream: true,
      outcome: 'complete',
      tokens: { input: 40, output: 5 },
      pricedAs: 'claude-sonnet-4-5',
    });
  });

  it("turns an exception frame into the Messages API's error event", async () => {
    throttleMidStream = true;
    try {
      const stream = client().messages.stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
      });
      const logs = logged.length;
      const failure = await stream.finalMessage().then(
        () => undefined,
        (error: unknown) => error,
      );
      // The type and the exception's name reach the client; the message, which names the account, only the log.
      expect(String(failure)).toMatch(/rate_limit_error.*ended the stream with throttlingException/);
      expect(String(failure)).not.toContain('123456789012');
      expect(logged.slice(logs)).toContainEqual(
        expect.objectContaining({
          msg: 'the upstream ended its stream with an error',
          upstreamMessage: `throttlingException: Too many tokens for ${PROFILE_ARN}`,
        }),
      );
    } finally {
      throttleMidStream = false;
    }
  });

  it('ends a Bedrock stream cut part way with an error the SDK reports, and bills what was streamed', async () => {
    cutMidStream = true;
    try {
      const stream = client().messages.stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
      });
      await expect(stream.finalMessage()).rejects.toThrow(/closed the stream before it finished/);
      await gateway.server.usage.flush();
      expect((await gateway.server.storage.usage.list('acme')).at(-1)).toMatchObject({
        outcome: 'cut',
        tokens: { input: 40 },
      });
    } finally {
      cutMidStream = false;
    }
  });

  it("answers a body whose nested content is not JSON as the client's error, leaving the upstream's breaker closed", async () => {
    // The gateway reads only a body's top level (ADR 0012); Bedrock's request is built from the whole of it.
    const send = (body: string) =>
      fetch(`${gateway.server.url}/v1/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'anthropic-version': '2023-06-01',
          'x-api-key': gateway.tokens['alice@acme.test']!,
        },
        body,
      });
    const before = seen.length;
    // More than the breaker's threshold of failures in a row, had these counted as the upstream's.
    for (let i = 0; i < 6; i++) {
      const answer = await send(
        '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"},]}',
      );
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.stringMatching(/not valid JSON/) },
      });
    }
    expect(seen.length).toBe(before);
    await gateway.server.usage.flush();
    expect((await gateway.server.storage.usage.list('acme')).at(-1)).toMatchObject({
      status: 400,
      outcome: 'refused',
      costMicro: 0,
    });
    const good = await send(
      '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}',
    );
    expect(good.status).toBe(200);
    expect(seen.length).toBe(before + 1);
  });

  it('leaves the request tags and their beta out of what Bedrock is sent', async () => {
    const answer = await send(
      {
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
        tags: { team: 'x' },
      },
      { 'anthropic-beta': 'claude-code-20250219,request-tags-2026-08-21' },
    );
    expect(answer.status).toBe(200);
    const request = seen.at(-1)!;
    expect(request.body).not.toHaveProperty('tags');
    expect(request.body.anthropic_beta).toEqual(['claude-code-20250219']);
    expect(request.signatureValid).toBe(true);
  });

  it("refuses auto mode's safeguards with a 400 naming them, before Bedrock, so Claude Code retries without", async () => {
    await expectSafeguardsRefused(send, () => seen.length);
  });

  it('answers /v1/models with 404, which Claude Code takes as "use the built-in model list"', async () => {
    await expectModelsNotFound(gateway, () => seen.length, logged);
  });

  it("answers count_tokens with Bedrock's CountTokens, counting the invoke body Bedrock would be sent", async () => {
    const params = COUNTED_PARAMS;
    const counted = await client().messages.countTokens(params, {
      headers: {
        'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,request-tags-2026-08-21',
      },
    });
    expect(counted).toEqual({ input_tokens: mockTokenCount(params) });
    const request = seen.at(-1)!;
    expect(request.path).toBe('/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens');
    expect(request.signatureValid).toBe(true);
    const { model: _model, ...sent } = params;
    // Only the betas Claude Code sends Bedrock on a count; max_tokens above the thinking budget.
    expect(request.counted).toEqual({
      ...sent,
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: ['claude-code-20250219'],
      max_tokens: 2049,
    });
  });

  it('leaves an empty tools list, the request tags and betas Bedrock does not count out of a count', async () => {
    const body = {
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [],
      tags: { team: 'x' },
    };
    const answer = await send(
      body,
      { 'anthropic-beta': 'context-1m-2025-08-07,request-tags-2026-08-21' },
      '/v1/messages/count_tokens?beta=true',
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await answer.json()).toEqual({ input_tokens: mockTokenCount({ messages: body.messages }) });
    expect(seen.at(-1)!.counted).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 1,
      messages: body.messages,
    });
  });

  it('counts a cross-region inference profile on its foundation model, which CountTokens takes', async () => {
    const answer = await send(
      { model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', messages: [{ role: 'user', content: 'hi' }] },
      {},
      '/v1/messages/count_tokens',
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toHaveProperty('input_tokens');
    expect(seen.at(-1)!.path).toBe('/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens');
    expect(seen.at(-1)!.signatureValid).toBe(true);
  });

  it('answers a count on an application inference profile 501 without asking Bedrock', async () => {
    // The profile's model counts when named by its own id; the profile (model_ids maps it to its ARN) cannot.
    expect((await count('claude-sonnet-4-5')).status).toBe(200);
    const before = seen.length;
    const answer = await count('claude-sonnet-4-5-app');
    expect(answer.status).toBe(501);
    expect(answer.headers.get('x-should-retry')).toBe('false');
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'error', error: { type: 'not_supported' } });
    expect(text).not.toContain('123456789012');
    expect(seen.length).toBe(before);
  });

  it("answers 501 when Bedrock cannot count, its message only in the gateway's log", async () => {
    const unsupported = (upstreamStatus: number, model = 'claude-sonnet-4-5') =>
      expectCountUnsupported(() => count(model), {
        upstream: 'aws',
        label: 'Bedrock',
        upstreamStatus,
        hidden: /counting tokens|123456789012|inputTokens/,
        logged,
      });

    expect(await unsupported(400, UNCOUNTABLE_MODEL)).toBe(
      "The provided model doesn't support counting tokens.",
    );
    expect(seen.at(-1)!.path).toBe(`/model/anthropic.${UNCOUNTABLE_MODEL}-v1%3A0/count-tokens`);

    nextError = {
      status: 403,
      body: JSON.stringify({ message: `You don't have access to ${PROFILE_ARN}.` }),
    };
    expect(await unsupported(403)).toContain('123456789012');

    nextError = { status: 200, body: JSON.stringify({ tokens: 12 }) };
    expect(await unsupported(200)).toMatch(/without inputTokens/);
  });

  it("holds a count to the caller's model allowlist before Bedrock is asked", async () => {
    await expectCountAllowlisted(count, () => seen.length);
  });

  it("sends Bedrock's errors as a generic Anthropic error of the matching type, logs its message, and records them", async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/x';
    nextError = { status: 403, body: JSON.stringify({ message: `You don't have access to ${arn}.` }) };
    const denied = await send(HELLO);
    expect(denied.status).toBe(403);
    const body = (await denied.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    expect(body.error.message).not.toContain('123456789012');
    expect(logged.at(-1)).toMatchObject({
      upstream: 'aws',
      upstreamStatus: 403,
      upstreamMessage: `You don't have access to ${arn}.`,
    });
    await gateway.server.usage.flush();
    expect((await gateway.server.storage.usage.list('acme')).at(-1)).toMatchObject({
      status: 403,
      outcome: 'upstream_error',
      costMicro: 0,
    });

    nextError = {
      status: 429,
      body: JSON.stringify({ message: 'Too many requests, please wait before trying again.' }),
      headers: { 'retry-after': '7' },
    };
    const throttled = await send(HELLO);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(await throttled.json()).toMatchObject({ error: { type: 'rate_limit_error' } });

    // The gateway's own AWS credentials refused: not a 401, which would make Claude Code sign the user in again.
    nextError = { status: 401, body: JSON.stringify({ message: 'The security token is invalid.' }) };
    const unsigned = await send(HELLO);
    expect(unsigned.status).toBe(502);
    expect(await unsigned.json()).toMatchObject({ error: { type: 'api_error' } });
  });

  it("sends Bedrock's `Input is too long.` exactly, for Claude Code's recovery", async () => {
    nextError = { status: 400, body: JSON.stringify({ message: 'Input is too long.' }) };
    const long = await send(HELLO);
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Input is too long.' },
    });
  });
});

const { send, count } = gatewayRequests(() => gateway);
