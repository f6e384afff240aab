// Budgets at the gateway: the usage-limit headers on every answer, the protocol's 429 when a cap is
// reached, and no overdraw under 200 concurrent streams, on SQLite and on PostgreSQL with two servers.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock/clock.ts';
import { KEY_ID_LENGTH } from '../src/core/credentials/api-key-format.ts';
import type { AuditInput } from '../src/features/audit/audit-log.ts';
import { BudgetIncreases } from '../src/features/budgets/budget-increases.ts';
import { BundlesService } from '../src/features/bundles/bundles-service.ts';
import { REFRESH_MS } from '../src/features/gateway/approved-increase-cache.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { type CreateStorageOptions, createStorage } from '../src/storage/create-storage.ts';
import type { Storage } from '../src/storage/ports.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { text } from './support/mock-anthropic/script.ts';
import { SQL_BACKENDS } from './support/sql-backends.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

const USER = 'alice@acme.test';
const PREFIX = 'anthropic-ratelimit-unified-';

let mock: MockAnthropic;
let work: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  // Every answer costs the same: 10 input and 100 output tokens of Haiku 4.5 ($1 / $5): 510 µ$.
  mock = await startMockAnthropic({
    isMainRequest: () => true,
    fallback: text('ok', { input_tokens: 10, output_tokens: 100 }),
  });
  work = await tempDir('llm-rules-budgets-');
});
afterAll(async () => {
  await mock?.close();
  await work?.remove();
});

/** The example enterprise with only the given budgets. */
async function configWithBudgets(name: string, budgets: unknown[]): Promise<string> {
  const dir = await copyExampleConfig(join(work.path, name));
  await writeFile(join(dir, 'org/budgets.json'), JSON.stringify({ budgets }));
  return dir;
}

async function gateway(
  configDir: string,
  storage: CreateStorageOptions,
  redisUrl?: string,
  /** Changes the storage before the server starts (a store made to fail). */
  patch?: (storage: Storage) => void,
): Promise<ServerHandle> {
  const opened = await createStorage(storage);
  patch?.(opened);
  return startServer(
    resolveServerOptions([
      {
        name: 'test',
        values: { port: 0, configDir, applyConfigOnStart: 'always', upstreamUrl: mock.url, redisUrl },
      },
    ]),
    {
      storage: opened,
      logger: createLogger('silent'),
      env: { ANTHROPIC_API_KEY: 'k' },
    },
  );
}

function ask(server: ServerHandle, token: string, stream = false, extra: Record<string, string> = {}) {
  return fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': token,
      'anthropic-version': '2023-06-01',
      ...extra,
    },
    body: JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      stream,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
}

describe('gateway budgets: headers and refusal', () => {
  const servers: ServerHandle[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it("reports the caller's standing on each answer and refuses with the protocol's 429 at the cap", async () => {
    const config = await configWithBudgets('own', [
      { id: 'alice-daily', scope: `user:${USER}`, amount: 0.01, period: 'daily' },
    ]);
    const server = await gateway(config, { memory: true });
    servers.push(server);
    const token = (await server.keys.create({ tenantId: 'acme', principal: { type: 'user', id: USER } }))
      .plaintext;

    const answers: Response[] = [];
    let refusedBody = '';
    for (let i = 0; i < 30; i++) {
      const answer = await ask(server, token);
      answers.push(answer);
      const body = await answer.text();
      await server.usage.flush();
      if (answer.status !== 200) {
        refusedBody = body;
        break;
      }
    }
    const allowed = answers.filter((a) => a.status === 200);
    const refused = answers.at(-1)!;
    // $0.01 admits requests while spent + the worst case (≈ 540 µ$) fits: 18 or 19 of them.
    expect(allowed.length).toBeGreaterThanOrEqual(17);
    expect(allowed[0]!.headers.get(`${PREFIX}status`)).toBe('allowed');
    expect(allowed[0]!.headers.get(`${PREFIX}representative-claim`)).toBe('overage');
    expect(allowed[0]!.headers.get(`${PREFIX}overage-utilization`)).toBe('0.00');
    const warned = allowed.filter((a) => a.headers.get(`${PREFIX}overage-surpassed-threshold`) === '0.75');
    expect(warned.length).toBeGreaterThan(0);
    expect(warned[0]!.headers.get(`${PREFIX}status`)).toBe('allowed_warning');
    expect(Number(allowed.at(-1)!.headers.get(`${PREFIX}overage-utilization`))).toBeLessThan(1);

    expect(refused.status).toBe(429);
    const body = JSON.parse(refusedBody) as { type: string; error: { type: string; message: string } };
    expect(body.error.type).toBe('billing_error');
    expect(body.error.message).toMatch(
      /spend limit reached: your budget "alice-daily" \(\$0\.01 a day\) · resets .* UTC/,
    );
    expect(refused.headers.get('x-should-retry')).toBe('false');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get(`${PREFIX}status`)).toBe('rejected');
    expect(refused.headers.get(`${PREFIX}overage-period`)).toBe('daily');
    expect(refused.headers.get(`${PREFIX}overage-disabled-reason`)).toBe('org_spend_cap_reached');
    expect(refused.headers.get(`${PREFIX}overage-scope`)).toBeNull();
    expect(refused.headers.get(`${PREFIX}representative-claim`)).toBeNull();
    const usage = await server.storage.usage.list('acme');
    expect(usage.at(-1)).toMatchObject({ outcome: 'refused', status: 429, costMicro: 0 });
    // The budget passed 50% and 80% (its default alert thresholds) once each: one audit event apiece.
    await server.audit.flush();
    const events = await server.storage.audit.list('acme', { event: 'budget' });
    expect(events.map((e) => [e.user, e.context.budget, e.context.threshold, e.context.period])).toEqual([
      [USER, 'alice-daily', 50, 'daily'],
      [USER, 'alice-daily', 80, 'daily'],
    ]);
  });

  it('refuses with fetch_error while the database is down, or forwards with budgets_unavailable: fail_open', async () => {
    const down = { now: false };
    /** A database outage: the spend limits and the counters both fail to read. */
    const failing = (storage: Storage) => {
      const limits = storage.spendLimits;
      const list = limits.list.bind(limits);
      limits.list = (...args) => (down.now ? Promise.reject(new Error('database down')) : list(...args));
      // The day's sessions are counted in the same database (Claude Code names its session on every request).
      const sessions = storage.sessions;
      const start = sessions.start.bind(sessions);
      sessions.start = (...args) => (down.now ? Promise.reject(new Error('database down')) : start(...args));
      const counters = storage.budgets;
      for (const method of ['reserve', 'reserveMany'] as const) {
        const real = counters[method].bind(counters) as (...args: unknown[]) => Promise<never>;
        (counters as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
          down.now ? Promise.reject(new Error('database down')) : real(...args);
      }
    };
    const budgets = [{ id: 'alice-daily', scope: `user:${USER}`, amount: 10, period: 'daily' }];
    const closed = await gateway(
      await configWithBudgets('down', budgets),
      { memory: true },
      undefined,
      failing,
    );
    servers.push(closed);
    const token = (await closed.keys.create({ tenantId: 'acme', principal: { type: 'user', id: USER } }))
      .plaintext;
    down.now = true;
    const forwardedBefore = mock.requests.length;
    const session = { 'x-claude-code-session-id': 'outage-session' };
    // Without a session id the spend limits fail first; with one (as Claude Code sends), the day's sessions.
    for (const extra of [{}, session]) {
      const refused = await ask(closed, token, false, extra);
      const body = (await refused.json()) as { error: { type: string; message: string } };
      expect(refused.status).toBe(429);
      expect(body.error.type).toBe('billing_error');
      expect(body.error.message).toMatch(/could not be checked against your budget/);
      expect(refused.headers.get('x-should-retry')).toBe('false');
      expect(refused.headers.get(`${PREFIX}overage-disabled-reason`)).toBe('fetch_error');
      await closed.usage.flush();
      expect((await closed.storage.usage.list('acme')).at(-1)).toMatchObject({
        outcome: 'refused',
        status: 429,
        costMicro: 0,
      });
    }
    expect(mock.requests.length).toBe(forwardedBefore);

    const openConfig = await configWithBudgets('down-open', budgets);
    const file = join(openConfig, 'config.yaml');
    await writeFile(file, `${await readFile(file, 'utf8')}\ngateway:\n  budgets_unavailable: fail_open\n`);
    const open = await gateway(openConfig, { memory: true }, undefined, failing);
    servers.push(open);
    const openToken = (await open.keys.create({ tenantId: 'acme', principal: { type: 'user', id: USER } }))
      .plaintext;
    const forwarded = await ask(open, openToken, false, session);
    expect(forwarded.status).toBe(200);
    await forwarded.text();
    // No budget was applied, so the answer carries no standing.
    expect(forwarded.headers.get(`${PREFIX}status`)).toBeNull();
    await open.usage.flush();
    expect((await open.storage.usage.list('acme')).at(-1)).toMatchObject({
      outcome: 'complete',
      costMicro: 510,
    });
  });

  it('stops at a soft cap until an increase is approved, then admits up to it, never past the amount', async () => {
    const config = await configWithBudgets('soft', [
      {
        id: 'alice-daily',
        scope: `user:${USER}`,
        amount: 0.02,
        period: 'daily',
        approval_required_above: 0.01,
      },
    ]);
    const server = await gateway(config, { memory: true });
    servers.push(server);
    const token = (await server.keys.create({ tenantId: 'acme', principal: { type: 'user', id: USER } }))
      .plaintext;
    /** Asks until refused; how many were admitted, and the refusal's message. */
    const untilRefused = async (): Promise<{ admitted: number; message: string }> => {
      for (let admitted = 0; admitted < 60; admitted++) {
        const answer = await ask(server, token);
        const body = (await answer.json()) as { error?: { type: string; message: string } };
        await server.usage.flush();
        if (answer.status !== 200) {
          expect(answer.status).toBe(429);
          expect(body.error!.type).toBe('billing_error');
          return { admitted, message: body.error!.message };
        }
      }
      throw new Error('never refused');
    };

    // About $0.01 / 540 µ$ requests fit under the soft cap.
    const first = await untilRefused();
    expect(first.admitted).toBeGreaterThanOrEqual(17);
    expect(first.admitted).toBeLessThanOrEqual(19);
    expect(first.message).toMatch(
      /^approval needed: your budget "alice-daily" reached its soft cap \(\$0\.01 of \$0\.02 a day\) · resets .* UTC · ask your LLM-RULES admin for an increase \(llm-rules budgets request alice-daily --amount DOLLARS\)$/,
    );

    // A reset at midnight reads 00:00 of the next day, not 24:00.
    expect(first.message).not.toContain('24:00');

    const audit: AuditInput[] = [];
    const increases = new BudgetIncreases(
      server.storage,
      { record: async (_t, input) => void audit.push(input) as never },
      systemClock,
    );
    const asked = await increases.request({
      budgetId: 'alice-daily',
      amountDollars: 0.005,
      reason: 'finishing the migration',
      by: USER,
    });
    await expect(increases.approve({ id: asked.id, by: USER })).rejects.toThrow(/cannot approve it/);
    await increases.approve({ id: asked.id, by: 'grace@acme.test', note: 'once' });
    expect(audit.map((a) => [a.event, a.user, a.context?.action])).toEqual([
      ['budget', USER, 'increase_requested'],
      ['budget', 'grace@acme.test', 'increase_approved'],
    ]);
    // The gateway re-reads approvals every REFRESH_MS.
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS + 100));

    const second = await untilRefused();
    expect(second.admitted).toBeGreaterThanOrEqual(8);
    expect(second.admitted).toBeLessThanOrEqual(10);
    expect(second.message).toContain(
      'reached its soft cap ($0.01 + $0.005000 approved of $0.02 a day) · resets ',
    );
    // No increase can pass the amount: that takes a config change.
    await expect(
      increases.request({ budgetId: 'alice-daily', amountDollars: 0.006, reason: 'more', by: USER }),
    ).rejects.toThrow(
      '--amount must be at most $0.005000: budget "alice-daily" has a soft cap of $0.01 and $0.005000 already approved, and a hard cap of $0.02',
    );
  }, 30_000);

  it('answers /api/oauth/usage with the dollars of the cap the headers describe, and spend alone without caps', async () => {
    const config = await configWithBudgets('report', [
      { id: 'alice-weekly', scope: `user:${USER}`, amount: 2, period: 'weekly' },
      { id: 'platform-total', scope: 'team:platform', amount: 1000 },
    ]);
    const server = await gateway(config, { memory: true });
    servers.push(server);
    const key = async (id: string) =>
      (await server.keys.create({ tenantId: 'acme', principal: { type: 'user', id } })).plaintext;
    const alice = await key(USER);
    for (let i = 0; i < 3; i++) await (await ask(server, alice)).arrayBuffer();
    await new Promise((r) => setTimeout(r, 50)); // settlement follows the last byte
    const last = await ask(server, alice);
    await last.arrayBuffer();
    await new Promise((r) => setTimeout(r, 50));
    const report = async (token: string) =>
      (await (
        await fetch(`${server.url}/api/oauth/usage`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        extra_usage: Record<string, unknown>;
        limits: { group: string; percent: number; resets_at: string; is_active: boolean }[];
      };
    const mine = await report(alice);
    // 4 requests × 510 µ$ = 0.204 cents ≈ 0 of 200 cents: the weekly $2 budget is the fullest.
    expect(mine.extra_usage).toMatchObject({
      is_enabled: true,
      monthly_limit: 200,
      used_credits: 0,
      utilization: 0,
      currency: 'USD',
    });
    expect(mine.limits.map((l) => [l.group, l.is_active])).toEqual([
      ['weekly', true],
      ['monthly', false],
    ]);
    const resets = Number(last.headers.get(`${PREFIX}overage-reset`));
    expect(new Date(mine.limits[0]!.resets_at).getTime() / 1000).toBe(resets);

    const uncapped = await report(await key('erin@acme.test'));
    expect(uncapped.limits).toEqual([]);
    expect(uncapped.extra_usage).toMatchObject({
      monthly_limit: null,
      utilization: null,
      used_credits: 0,
      daily: { limit: null, used_credits: 0, utilization: null },
      weekly: { limit: null, used_credits: 0, utilization: null },
    });
  });

  it('marks a refusal by a shared pool as group_pool, and sends no headers to a caller without caps', async () => {
    const config = await configWithBudgets('pool', [
      { id: 'platform-pool', scope: 'team:platform', amount: 0 },
    ]);
    const server = await gateway(config, { memory: true });
    servers.push(server);
    const key = async (id: string) =>
      (await server.keys.create({ tenantId: 'acme', principal: { type: 'user', id } })).plaintext;
    const refused = await ask(server, await key(USER));
    expect(refused.status).toBe(429);
    expect(refused.headers.get(`${PREFIX}overage-scope`)).toBe('group_pool');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /the team platform budget/,
    );
    // Payments is outside the platform team: no budget applies, no usage-limit headers.
    const free = await ask(server, await key('erin@acme.test'));
    expect(free.status).toBe(200);
    expect(free.headers.get(`${PREFIX}status`)).toBeNull();
  });

  it('shares a pooled group budget among its members, refusing the next member once one spent it', async () => {
    // alice, bob, carol and dave are in the engineers group (examples/acme/.claude/org/hierarchy.yaml);
    // root is in platform-admins only, and in the same team: a team budget would have caught him too.
    const config = await configWithBudgets('group-pool', [
      { id: 'engineers-pool', scope: 'group:engineers', amount: 0.002, period: 'daily' },
    ]);
    const server = await gateway(config, { memory: true });
    servers.push(server);
    const key = async (id: string) =>
      (await server.keys.create({ tenantId: 'acme', principal: { type: 'user', id } })).plaintext;
    const [alice, bob, root] = [await key(USER), await key('bob@acme.test'), await key('root@acme.test')];

    let spent = false;
    for (let i = 0; i < 10 && !spent; i++) {
      const answer = await ask(server, alice);
      await answer.text();
      await server.usage.flush();
      spent = answer.status !== 200;
    }
    expect(spent).toBe(true);
    const refused = await ask(server, bob);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    expect(refused.headers.get(`${PREFIX}status`)).toBe('rejected');
    expect(refused.headers.get(`${PREFIX}overage-scope`)).toBe('group_pool');
    const body = (await refused.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('billing_error');
    expect(body.error.message).toMatch(
      /^spend limit reached: the group "engineers" budget "engineers-pool" \(\$0\.002000 a day\) · resets .* UTC/,
    );
    const outsider = await ask(server, root);
    expect(outsider.status).toBe(200);
    expect(outsider.headers.get(`${PREFIX}status`)).toBeNull();
  });

  it('caps one key with a key budget while the same user’s other key keeps working', async () => {
    const config = await configWithBudgets('key', []);
    const server = await gateway(config, { memory: true });
    servers.push(server);
    const issue = () => server.keys.create({ tenantId: 'acme', principal: { type: 'user', id: USER } });
    const [laptop, desktop] = [await issue(), await issue()];
    // Key ids exist only once the keys do: the budget is applied afterwards, as an admin would.
    await writeFile(
      join(config, 'org/budgets.json'),
      JSON.stringify({
        budgets: [{ id: 'laptop-key', scope: `key:${laptop.record.id}`, amount: 0.002, period: 'daily' }],
      }),
    );
    await new BundlesService(server.storage).apply(config, { ANTHROPIC_API_KEY: 'k' }, 'test');
    await server.bundle.refresh();

    let refused: Response | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const answer = await ask(server, laptop.plaintext);
      await server.usage.flush();
      if (answer.status !== 200) refused = answer;
      else await answer.text();
    }
    expect(refused?.status).toBe(429);
    expect(refused!.headers.get('x-should-retry')).toBe('false');
    expect(refused!.headers.get(`${PREFIX}overage-scope`)).toBeNull();
    const body = (await refused!.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('billing_error');
    expect(body.error.message).toMatch(
      /^spend limit reached: your key's budget "laptop-key" \(\$0\.002000 a day\) · resets .* UTC/,
    );
    const other = await ask(server, desktop.plaintext);
    expect(other.status).toBe(200);
    expect(other.headers.get(`${PREFIX}status`)).toBeNull();
  });
});

for (const backend of SQL_BACKENDS) {
  describe.skipIf(!backend.enabled)(`gateway budgets under load (${backend.name})`, () => {
    if (!backend.enabled) console.warn(`SKIPPED ${backend.name} budget load test: DATABASE_URL is not set`);

    it('never overdraws a pool with 200 concurrent streams; one usage record each; holds drain to zero', async () => {
      const database = await backend.create('llmr_budget_load');
      const budgets = [{ id: 'platform-pool', scope: 'team:platform', amount: 0.02, period: 'monthly' }];
      const config = await configWithBudgets(`load-${backend.name}`, budgets);
      // PostgreSQL: two servers over one database sharing Redis, as a fleet behind a load balancer would
      // be; per-key limits high enough never to refuse, so every request also goes through Redis.
      const fleet = backend.name === 'PostgreSQL' && REDIS_URL !== undefined;
      if (fleet) await appendRateLimits(config);
      const servers = [await gateway(config, database.options, fleet ? REDIS_URL : undefined)];
      if (backend.name === 'PostgreSQL') {
        if (!fleet)
          console.warn('SKIPPED the Redis part of the PostgreSQL budget load test: REDIS_URL is not set');
        servers.push(await gateway(config, database.options, fleet ? REDIS_URL : undefined));
      }
      try {
        const users = ['alice@acme.test', 'bob@acme.test', 'carol@acme.test', 'dave@acme.test'];
        const tokens = await Promise.all(
          users.map(
            async (id) =>
              (await servers[0]!.keys.create({ tenantId: 'acme', principal: { type: 'user', id } }))
                .plaintext,
          ),
        );
        const answers = await Promise.all(
          Array.from({ length: 200 }, async (_, i) => {
            const response = await ask(servers[i % servers.length]!, tokens[i % tokens.length]!, true);
            const body = await response.text();
            // Every refusal is the budget's, none a rate limit's.
            if (response.status === 429) expect(JSON.parse(body).error.type).toBe('billing_error');
            return response.status;
          }),
        );
        await Promise.all(servers.map((s) => s.usage.flush()));
        // Settlement follows the last byte by a moment; wait for every hold to be released.
        const counter = {
          key: 'platform-pool',
          periodStart: new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)),
          limitMicro: 20_000,
        };
        let standing = (await servers[0]!.storage.budgets.standings('acme', [counter], new Date()))[0]!;
        for (let i = 0; i < 100 && standing.reservedMicro !== 0; i++) {
          await new Promise((r) => setTimeout(r, 20));
          standing = (await servers[0]!.storage.budgets.standings('acme', [counter], new Date()))[0]!;
        }
        const usage = await servers[0]!.storage.usage.list('acme');
        const largest = Math.max(...usage.map((u) => u.costMicro));
        expect(answers.filter((s) => s === 200).length).toBeGreaterThan(0);
        expect(answers.filter((s) => s === 429).length).toBeGreaterThan(0);
        expect(answers.every((s) => s === 200 || s === 429)).toBe(true);
        expect(usage).toHaveLength(200);
        expect(new Set(usage.map((u) => u.requestId)).size).toBe(200);
        const billed = usage.reduce((sum, u) => sum + u.costMicro, 0);
        expect(standing.spentMicro).toBe(billed);
        expect(standing.spentMicro).toBeLessThanOrEqual(20_000 + largest);
        expect(standing.reservedMicro).toBe(0);
        if (fleet) await expectRedisCountedEveryKey(tokens);
      } finally {
        await Promise.all(servers.map((s) => s.close()));
        await database.cleanup();
      }
    }, 60_000);
  });
}

const REDIS_URL = process.env.REDIS_URL || undefined;

async function appendRateLimits(configDir: string): Promise<void> {
  const file = join(configDir, 'config.yaml');
  const yaml = await readFile(file, 'utf8');
  await writeFile(
    file,
    `${yaml}\ngateway:\n  rate_limits:\n    - { scope: key, requests_per_minute: 100000, concurrent: 1000 }\n`,
  );
}

/** The servers shared their per-key counters in Redis, and every concurrency slot was given back. */
async function expectRedisCountedEveryKey(tokens: string[]): Promise<void> {
  const redis = new Redis(REDIS_URL!);
  try {
    for (const token of tokens) {
      const keyId = token.slice('llmr_'.length, 'llmr_'.length + KEY_ID_LENGTH);
      const counted = await redis.keys(`llmr:rl:acme:key:${keyId}:rpm:*`);
      expect(counted.length).toBeGreaterThan(0);
      expect(await redis.zcard(`llmr:rl:acme:key:${keyId}:concurrent:slots`)).toBe(0);
    }
  } finally {
    redis.disconnect();
  }
}
