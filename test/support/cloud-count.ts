// What the Bedrock and Vertex tests share: requests to the gateway as alice, and of a `count_tokens` that
// the cloud counts, a request with every member that decides its input tokens, the 501 a client gets when
// the cloud cannot count (the cloud's reason only in the log), the model allowlist refusing first, and the
// two things neither cloud serves: auto mode's safeguards and the model list.

import { expect } from 'vitest';
import type { ExampleServer } from './example-server.ts';

/** A short Messages request. */
export const HELLO = {
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'hi' }],
};

/** Requests to the gateway (read when each is sent, as the file starts it in beforeAll) with alice's key. */
export function gatewayRequests(gateway: () => ExampleServer) {
  const send = (body: unknown, headers: Record<string, string> = {}, path = '/v1/messages') =>
    fetch(`${gateway().server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'x-api-key': gateway().tokens['alice@acme.test']!,
        ...headers,
      },
      body: JSON.stringify(body),
    });
  /** A count of one short message through the gateway, on `model`. */
  const count = (model: string) =>
    send({ model, messages: [{ role: 'user', content: 'hi' }] }, {}, '/v1/messages/count_tokens');
  return { send, count };
}

/** A count_tokens request with every member that decides its input tokens. */
export const COUNTED_PARAMS = {
  model: 'claude-sonnet-4-5-20250929',
  system: 'You are terse.',
  messages: [{ role: 'user' as const, content: 'How many tokens is this?' }],
  tools: [{ name: 'read', description: 'Reads a file', input_schema: { type: 'object' as const } }],
  tool_choice: { type: 'auto' as const },
  thinking: { type: 'enabled' as const, budget_tokens: 2048 },
};

export interface UnsupportedCount {
  /** The upstream's name and label, as the client's message names them: `upstream "aws" (Bedrock)`. */
  upstream: string;
  label: string;
  /** The cloud's status for the count. */
  upstreamStatus: number;
  /** What the client must not be told (the cloud's words, its account or project). */
  hidden: RegExp;
  /** The gateway's log lines, as they are written. */
  logged: readonly Record<string, unknown>[];
}

/**
 * Makes a count the cloud cannot make and checks the protocol's 501; returns the cloud's message as the
 * gateway logged it.
 */
export async function expectCountUnsupported(
  count: () => Promise<Response>,
  expected: UnsupportedCount,
): Promise<string> {
  const from = expected.logged.length;
  const answer = await count();
  expect(answer.status).toBe(501);
  expect(answer.headers.get('x-should-retry')).toBe('false');
  const body = (await answer.json()) as { error: { type: string; message: string } };
  expect(body.error.type).toBe('not_supported');
  expect(body.error.message).toContain(`upstream "${expected.upstream}" (${expected.label})`);
  expect(body.error.message).not.toMatch(expected.hidden);
  const line = expected.logged
    .slice(from)
    .find((entry) => entry.msg === 'the upstream could not count the tokens');
  expect(line).toMatchObject({
    upstream: expected.upstream,
    upstreamStatus: expected.upstreamStatus,
    status: 501,
  });
  return String(line!.upstreamMessage);
}

/**
 * Checks that a count on a model the caller may use is made, and one on a model the file's config
 * denies (`claude-opus-*`) is refused with the allowlist's 400 before the cloud is asked.
 */
export async function expectCountAllowlisted(
  count: (model: string) => Promise<Response>,
  cloudRequests: () => number,
): Promise<void> {
  expect((await count('claude-sonnet-4-5')).status).toBe(200);
  const before = cloudRequests();
  const answer = await count('claude-opus-4-1');
  expect(answer.status).toBe(400);
  expect(await answer.json()).toMatchObject({
    error: { type: 'invalid_request_error', message: expect.stringMatching(/claude-opus-4-1/) },
  });
  expect(cloudRequests()).toBe(before);
}

/** Auto mode's `safeguards`, refused with a 400 that names them before the cloud is asked. */
export async function expectSafeguardsRefused(
  send: (body: unknown) => Promise<Response>,
  cloudRequests: () => number,
): Promise<void> {
  const before = cloudRequests();
  const answer = await send({ ...HELLO, safeguards: { auto_mode: true } });
  expect(answer.status).toBe(400);
  const body = (await answer.json()) as { error: { type: string; message: string } };
  expect(body.error.type).toBe('invalid_request_error');
  expect(body.error.message).toMatch(/^safeguards: /);
  expect(cloudRequests()).toBe(before);
}

/**
 * `GET /v1/models` answered 404 without asking the cloud; a route this upstream does not offer is no
 * server failure, so nothing is logged as one.
 */
export async function expectModelsNotFound(
  gateway: ExampleServer,
  cloudRequests: () => number,
  logged: readonly unknown[],
): Promise<void> {
  const before = cloudRequests();
  const logs = logged.length;
  const models = await fetch(`${gateway.server.url}/v1/models`, {
    headers: { 'x-api-key': gateway.tokens['alice@acme.test']! },
  });
  expect(models.status).toBe(404);
  expect(await models.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  expect(cloudRequests()).toBe(before);
  expect(logged.slice(logs)).toEqual([]);
}
