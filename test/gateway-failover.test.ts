// Retries, circuit breakers and failover: an upstream that answers "overloaded" is retried, then skipped
// for the next in the failover order; its breaker shows in /readyz; a lone failing upstream's answer is
// relayed unchanged.

import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../src/features/gateway/circuit-breaker.ts';
import { retryDelayMs } from '../src/features/gateway/retry-policy.ts';
import { type ExampleServer, startExampleServer } from './support/example-server.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

const USER = 'alice@acme.test';
const OVERLOADED = JSON.stringify({
  type: 'error',
  error: { type: 'overloaded_error', message: 'Overloaded' },
});

let mock: MockAnthropic;
let flaky: Server;
let flakyUrl: string;
let flakyHits = 0;
let work: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  mock = await startMockAnthropic({ isMainRequest: () => true });
  flaky = createServer((request, response) => {
    flakyHits++;
    request.resume();
    request.on('end', () => {
      response.writeHead(529, { 'content-type': 'application/json', 'x-flaky': 'yes' });
      response.end(OVERLOADED);
    });
  });
  flaky.listen(0, '127.0.0.1');
  await once(flaky, 'listening');
  flakyUrl = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
  work = await tempDir('llm-rules-failover-');
});
afterAll(async () => {
  await mock?.close();
  flaky?.closeAllConnections();
  flaky?.close();
  await work?.remove();
});

async function gatewayWith(name: string, upstreams: string): Promise<ExampleServer> {
  const config = await copyExampleConfig(join(work.path, name));
  const yaml = await readFile(join(config, 'config.yaml'), 'utf8');
  await writeFile(join(config, 'config.yaml'), `${yaml}\ngateway:\n  upstreams:\n${upstreams}`);
  return startExampleServer({ configDir: config, users: [USER], env: { ANTHROPIC_API_KEY: 'k' } });
}

const ask = (gateway: ExampleServer) =>
  fetch(`${gateway.server.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': gateway.tokens[USER]!,
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });

describe('gateway failover', () => {
  it('retries an overloaded upstream, fails over to the next, and opens its breaker after five failures', async () => {
    const gateway = await gatewayWith(
      'failover',
      `    - { name: primary, provider: anthropic, base_url: "${flakyUrl}", api_key: x, retries: 1 }\n` +
        `    - { name: secondary, provider: anthropic, base_url: "${mock.url}", api_key: y }\n`,
    );
    try {
      flakyHits = 0;
      const first = await ask(gateway);
      expect(first.status).toBe(200);
      await first.arrayBuffer();
      expect(flakyHits).toBe(2); // the first try and one retry
      await gateway.server.usage.flush();
      expect((await gateway.server.storage.usage.list('acme')).at(-1)).toMatchObject({
        upstream: 'secondary',
        outcome: 'complete',
      });

      for (let i = 0; i < 3; i++) await (await ask(gateway)).arrayBuffer();
      // Two failures per request: the breaker opened at the fifth, and the primary is no longer tried.
      const hitsWhenOpen = flakyHits;
      expect(hitsWhenOpen).toBeLessThanOrEqual(6);
      await (await ask(gateway)).arrayBuffer();
      expect(flakyHits).toBe(hitsWhenOpen);
      const ready = (await (await fetch(`${gateway.server.url}/readyz`)).json()) as {
        upstreams: { name: string; state: string }[];
      };
      expect(ready.upstreams).toEqual([
        expect.objectContaining({ name: 'primary', state: 'open', lastFailure: 'HTTP 529' }),
        expect.objectContaining({ name: 'secondary', state: 'closed' }),
      ]);
    } finally {
      await gateway.server.close();
    }
  });

  it('answers 502 when no upstream can be reached, and still records the request', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    closed.close();
    const gateway = await gatewayWith(
      'dead',
      `    - { name: gone, provider: anthropic, base_url: "${deadUrl}", api_key: x, retries: 0 }\n`,
    );
    try {
      const answer = await ask(gateway);
      expect(answer.status).toBe(502);
      expect(await answer.json()).toMatchObject({ error: { type: 'api_error' } });
      await gateway.server.usage.flush();
      expect((await gateway.server.storage.usage.list('acme')).at(-1)).toMatchObject({
        outcome: 'upstream_error',
        status: 502,
        costMicro: 0,
      });
    } finally {
      await gateway.server.close();
    }
  });

  it('relays the last answer unchanged when the only upstream keeps failing', async () => {
    const gateway = await gatewayWith(
      'alone',
      `    - { name: only, provider: anthropic, base_url: "${flakyUrl}", api_key: x, retries: 2 }\n`,
    );
    try {
      flakyHits = 0;
      const answer = await ask(gateway);
      expect(answer.status).toBe(529);
      expect(answer.headers.get('x-flaky')).toBe('yes');
      expect(await answer.text()).toBe(OVERLOADED);
      expect(flakyHits).toBe(3);
    } finally {
      await gateway.server.close();
    }
  });
});

describe('retry policy and circuit breaker', () => {
  it('backs off exponentially with full jitter, and honours retry-after up to a cap', () => {
    expect(retryDelayMs(0, undefined, 0.999)).toBe(249);
    expect(retryDelayMs(3, undefined, 0.5)).toBe(1000);
    expect(retryDelayMs(10, undefined, 0.999)).toBeLessThan(8000);
    expect(retryDelayMs(0, '2', 0.1)).toBe(2000);
    expect(retryDelayMs(0, '600', 0.1)).toBe(8000);
  });

  it('opens after the threshold, lets one trial through after the cooldown, and closes on its success', () => {
    const breaker = new CircuitBreaker(2, 1000);
    breaker.failed('HTTP 503', 0);
    expect(breaker.allows(1)).toBe(true);
    breaker.failed('HTTP 503', 2);
    expect(breaker.health(3).state).toBe('open');
    expect(breaker.allows(500)).toBe(false);
    expect(breaker.allows(1100)).toBe(true); // the trial
    expect(breaker.allows(1101)).toBe(false); // only one at a time
    breaker.failed('HTTP 503', 1200); // the trial failed: open again
    expect(breaker.allows(1300)).toBe(false);
    expect(breaker.allows(2300)).toBe(true);
    breaker.succeeded();
    expect(breaker.health(2400)).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('frees the trial slot when the trial ends without a verdict (the client left)', () => {
    const breaker = new CircuitBreaker(1, 1000);
    breaker.failed('HTTP 503', 0);
    expect(breaker.allows(1500)).toBe(true);
    expect(breaker.allows(1501)).toBe(false);
    breaker.abandoned();
    expect(breaker.allows(1502)).toBe(true);
  });
});
