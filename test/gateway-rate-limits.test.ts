// Rate limits at the gateway: 429 rate_limit_error with retry-after past a limit, per key across a fleet
// sharing Redis; and the limiter's concurrency slots.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRateCounter } from '../src/features/gateway/rate-limits/memory-rate-counter.ts';
import { RateLimiter } from '../src/features/gateway/rate-limits/rate-limiter.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

const REDIS_URL = process.env.REDIS_URL || undefined;
if (!REDIS_URL) console.warn('SKIPPED gateway rate limits across servers: REDIS_URL is not set');

let mock: MockAnthropic;
let work: Awaited<ReturnType<typeof tempDir>>;
let config: string;

beforeAll(async () => {
  mock = await startMockAnthropic({ isMainRequest: () => true });
  work = await tempDir('llm-rules-rate-');
  config = await copyExampleConfig(work.path);
  const yaml = await import('node:fs/promises').then((fs) =>
    fs.readFile(join(config, 'config.yaml'), 'utf8'),
  );
  await writeFile(
    join(config, 'config.yaml'),
    `${yaml}\ngateway:\n  rate_limits:\n    - { scope: key, requests_per_minute: 4 }\n`,
  );
});
afterAll(async () => {
  await mock?.close();
  await work?.remove();
});

async function gateway(
  redisUrl?: string,
  configDir = config,
  storage?: Awaited<ReturnType<typeof createStorage>>,
): Promise<ServerHandle> {
  return startServer(
    resolveServerOptions([
      {
        name: 'test',
        values: { port: 0, configDir, applyConfigOnStart: 'always', upstreamUrl: mock.url, redisUrl },
      },
    ]),
    {
      storage: storage ?? (await createStorage({ memory: true })),
      logger: createLogger('silent'),
      env: { ANTHROPIC_API_KEY: 'k' },
    },
  );
}

const ask = (server: ServerHandle, token: string) =>
  fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': token, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });

describe('gateway rate limits', () => {
  it('refuses the request past requests_per_minute with 429 rate_limit_error and retry-after', async () => {
    const server = await gateway();
    try {
      const { plaintext } = await server.keys.create({
        tenantId: 'acme',
        principal: { type: 'user', id: 'alice@acme.test' },
      });
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await ask(server, plaintext);
        statuses.push(last.status);
        if (last.status === 200) await last.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await last!.json()).toMatchObject({
        type: 'error',
        error: {
          type: 'rate_limit_error',
          message: expect.stringMatching(/at most 4 requests per minute per key/),
        },
      });
      await server.usage.flush();
      expect((await server.storage.usage.list('acme')).at(-1)).toMatchObject({
        outcome: 'refused',
        status: 429,
      });
    } finally {
      await server.close();
    }
  });

  it.skipIf(!REDIS_URL)('holds a key to its limit across two servers sharing Redis', async () => {
    const servers = [await gateway(REDIS_URL), await gateway(REDIS_URL)];
    try {
      const { plaintext } = await servers[0]!.keys.create({
        tenantId: 'acme',
        principal: { type: 'user', id: 'bob@acme.test' },
      });
      // Each server has its own memory store; the key must exist in both.
      const record = (await servers[0]!.storage.apiKeys.list('acme')).find((k) => plaintext.includes(k.id))!;
      await servers[1]!.storage.apiKeys.insert(record);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const answer = await ask(servers[i % 2]!, plaintext);
        statuses.push(answer.status);
        await answer.arrayBuffer();
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(4);
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});

describe('rate limiter', () => {
  const who = { tenantId: 't', keyId: 'k', principal: 'user:ada@x.test', teamId: 'web' };

  it('holds concurrency slots until the request finishes, and corrects the token estimate', async () => {
    const counter = new MemoryRateCounter();
    const limiter = new RateLimiter(counter);
    const limits = [{ scope: 'team' as const, concurrent: 1, tokens_per_minute: 1000 }];
    const now = Date.now();
    const first = await limiter.admit(limits, who, 100, now);
    await expect(limiter.admit(limits, who, 100, now)).rejects.toMatchObject({
      status: 429,
      code: 'rate_limit_error',
    });
    await first.finish(950);
    // The slot is free again, but 950 of the 1,000 tokens are used.
    await expect(limiter.admit(limits, who, 100, now)).rejects.toThrow(/tokens per minute/);
    const small = await limiter.admit(limits, who, 40, now);
    await small.finish(40);
  });

  it('takes nothing when one of several limits refuses', async () => {
    const counter = new MemoryRateCounter();
    const limiter = new RateLimiter(counter);
    const now = Date.now();
    const limits = [
      { scope: 'user' as const, requests_per_minute: 10 },
      { scope: 'tenant' as const, requests_per_minute: 1 },
    ];
    await limiter.admit(limits, who, 0, now);
    await expect(limiter.admit(limits, who, 0, now)).rejects.toThrow(/per tenant/);
    // The refused request's user-level count was given back: 9 more fit under the user limit of 10.
    const user = await counter.take('t:user:user:ada@x.test:rpm', 9, 10, now);
    expect(user.allowed).toBe(true);
  });
});

describe('gateway session quota (limits.max_sessions_per_day)', () => {
  it('counts each Claude Code session once, refuses the one past the day’s limit, and leaves requests without a session alone', async () => {
    const quotaWork = await tempDir('llm-rules-sessions-');
    const quotaConfig = await copyExampleConfig(quotaWork.path);
    const file = join(quotaConfig, 'config.yaml');
    const yaml = await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8'));
    await writeFile(file, yaml.replace('max_sessions_per_day: 50', 'max_sessions_per_day: 2'));
    const storage = await createStorage({ memory: true });
    const server = await gateway(undefined, quotaConfig, storage);
    try {
      const { plaintext } = await server.keys.create({
        tenantId: 'acme',
        principal: { type: 'user', id: 'alice@acme.test' },
      });
      const inSession = async (session: string | undefined) => {
        const response = await fetch(`${server.url}/v1/messages`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': plaintext,
            'anthropic-version': '2023-06-01',
            ...(session ? { 'x-claude-code-session-id': session } : {}),
          },
          body: JSON.stringify({
            model: 'claude-haiku-4-5',
            max_tokens: 10,
            messages: [{ role: 'user', content: 'hi' }],
          }),
        });
        const body = (await response.json()) as { error?: { type: string; message: string } };
        return { status: response.status, headers: response.headers, body };
      };
      expect((await inSession('s-1')).status).toBe(200);
      expect((await inSession('s-1')).status).toBe(200);
      expect((await inSession('s-2')).status).toBe(200);
      const third = await inSession('s-3');
      expect(third.status).toBe(429);
      expect(third.body.error).toMatchObject({ type: 'rate_limit_error' });
      expect(third.body.error?.message).toMatch(/started 2 sessions today.*max_sessions_per_day \(2\)/);
      expect(third.headers.get('x-should-retry')).toBe('false');
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      // Still refused on its next request; the sessions already started and plain SDK calls go on.
      expect((await inSession('s-3')).status).toBe(429);
      expect((await inSession('s-2')).status).toBe(200);
      expect((await inSession(undefined)).status).toBe(200);
      // The refusal is in the audit trail once, as the SessionStart hook records its own.
      const refusals = (await storage.audit.list('acme')).filter(
        (r) => r.event === 'session' && r.context.phase === 'refused',
      );
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatchObject({
        user: 'alice@acme.test',
        sessionId: 's-3',
        context: { by: 'gateway', started_today: 3 },
      });
    } finally {
      await server.close();
      await quotaWork.remove();
    }
  });
});
