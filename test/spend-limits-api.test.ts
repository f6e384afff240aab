// `/v1/organizations/spend_limits` as Anthropic's Admin API clients call it (x-api-key, the same JSON
// shapes): a user's limit set, replaced in place, lifted and deleted, each enforced by the gateway at
// the user's next request; the effective report with period-to-date spend; list pagination; roles and
// tenants enforced; every change audited with before and after.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { text } from './support/mock-anthropic/script.ts';
import { signInSession } from './support/sign-in-session.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

const LIMITS = '/v1/organizations/spend_limits';

let server: ServerHandle;
let mock: MockAnthropic;
let work: Awaited<ReturnType<typeof tempDir>>;
const keys: Record<string, string> = {};

interface SpendLimit {
  type: string;
  id: string;
  scope: { type: string; user_id?: string };
  amount: string | null;
  period: string;
  source: string;
}

beforeAll(async () => {
  mock = await startMockAnthropic({
    isMainRequest: () => true,
    fallback: text('ok', { input_tokens: 10, output_tokens: 100 }),
  });
  work = await tempDir('llm-rules-spend-limits-');
  const config = await copyExampleConfig(work.path);
  await writeFile(
    join(config, 'org/budgets.json'),
    JSON.stringify({
      budgets: [
        { id: 'seat', scope: 'tenant', mode: 'per_seat', amount: 50, period: 'monthly' },
        { id: 'platform-pool', scope: 'team:platform', amount: 5000, period: 'monthly' },
        // Only root is configured in platform-admins; others get its seat through its IdP group.
        {
          id: 'admin-seats',
          scope: 'group:platform-admins',
          mode: 'per_seat',
          amount: 70,
          period: 'monthly',
        },
      ],
    }),
  );
  // globex's admin also handles its budgets: what stops him at acme's limits is the tenant, not a role.
  const globex = join(config, 'tenants/globex/org/hierarchy.yaml');
  await writeFile(
    globex,
    (await readFile(globex, 'utf8')).replace(
      'Hank Scorpio, roles: [admin]',
      'Hank Scorpio, roles: [admin, finance]',
    ),
  );
  const roles = await readFile(join(config, 'org/roles.yaml'), 'utf8');
  await writeFile(
    join(config, 'org/roles.yaml'),
    roles.replace(
      'role_bindings:\n',
      'role_bindings:\n  - role: finance\n    at: tenant\n    subjects: [dave@acme.test]\n',
    ),
  );
  server = await startServer(
    resolveServerOptions([
      {
        name: 'test',
        values: { port: 0, configDir: config, applyConfigOnStart: 'always', upstreamUrl: mock.url },
      },
    ]),
    {
      storage: await createStorage({ memory: true }),
      logger: createLogger('silent'),
      env: { ANTHROPIC_API_KEY: 'k' },
    },
  );
  const key = async (
    name: string,
    tenantId: string,
    id: string,
    scopes: ('admin:read' | 'admin:write')[] = ['admin:write'],
  ) =>
    (keys[name] = (
      await server.keys.create({ tenantId, principal: { type: 'user', id }, scopes })
    ).plaintext);
  await key('dave', 'acme', 'dave@acme.test');
  await key('daveRead', 'acme', 'dave@acme.test', ['admin:read']);
  await key('bob', 'acme', 'bob@acme.test');
  await key('alice', 'acme', 'alice@acme.test');
  await key('hank', 'globex', 'hank@globex.test');
  await key('carolGateway', 'acme', 'carol@acme.test', []);
});

afterAll(async () => {
  await server?.close();
  await mock?.close();
  await work?.remove();
});

function admin(who: string, method: string, path: string, body?: unknown) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      'x-api-key': keys[who]!,
      'anthropic-version': '2023-06-01',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const setLimit = (who: string, userId: string, amount: string | null, period?: string) =>
  admin(who, 'POST', LIMITS, {
    scope: { type: 'user', user_id: userId },
    amount,
    ...(period ? { period } : {}),
  });

const askAsCarol = () =>
  fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': keys.carolGateway!,
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });

describe('spend limits: set, enforced, replaced, lifted, deleted', () => {
  it('caps a user at their next request, replaces the amount under the same id, then lifts it', async () => {
    expect((await askAsCarol()).status).toBe(200);
    const set = await setLimit('dave', 'carol@acme.test', '0', 'daily');
    expect(set.status).toBe(200);
    const limit = (await set.json()) as SpendLimit;
    expect(limit).toMatchObject({
      type: 'spend_limit',
      id: expect.stringMatching(/^spl_[0-9a-f]{24}$/),
      scope: { type: 'user', user_id: 'carol@acme.test' },
      amount: '0',
      currency: 'USD',
      period: 'daily',
      is_enabled: true,
      source: 'api',
    });
    const refused = await askAsCarol();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { type: string } }).error.type).toBe('billing_error');

    const raised = (await (
      await setLimit('dave', 'carol@acme.test', '100000', 'daily')
    ).json()) as SpendLimit;
    expect(raised).toMatchObject({ id: limit.id, amount: '100000' });
    expect((await askAsCarol()).status).toBe(200);

    // "No limit" for the month: her per-seat budget no longer applies (the team's pool still would).
    const lifted = (await (await setLimit('dave', 'carol@acme.test', null)).json()) as SpendLimit;
    expect(lifted).toMatchObject({ amount: null, period: 'monthly' });
    const report = (await (
      await admin('dave', 'GET', `${LIMITS}/effective?user_ids[]=carol@acme.test&period[]=monthly`)
    ).json()) as { data: { amount: string | null; source: { type: string }; spend_limit_id: string }[] };
    expect(report.data).toEqual([
      expect.objectContaining({
        amount: null,
        source: { type: 'user', user_id: 'carol@acme.test' },
        spend_limit_id: lifted.id,
      }),
    ]);

    const deleted = await admin('dave', 'DELETE', `${LIMITS}/${limit.id}`);
    expect(await deleted.json()).toEqual({ type: 'spend_limit_deleted', id: limit.id });
    expect((await admin('dave', 'GET', `${LIMITS}/${limit.id}`)).status).toBe(404);
    expect((await admin('dave', 'DELETE', `${LIMITS}/${limit.id}`)).status).toBe(404);
    await admin('dave', 'DELETE', `${LIMITS}/${lifted.id}`);

    await server.audit.flush();
    const actions = (await server.storage.audit.list('acme', { event: 'admin_action' })).filter((r) =>
      String(r.context.action).startsWith('spend_limit'),
    );
    expect(actions.map((r) => [r.user, r.context.action])).toEqual([
      ['dave@acme.test', 'spend_limit_set'],
      ['dave@acme.test', 'spend_limit_set'],
      ['dave@acme.test', 'spend_limit_set'],
      ['dave@acme.test', 'spend_limit_deleted'],
      ['dave@acme.test', 'spend_limit_deleted'],
    ]);
    expect(actions[1]!.context).toMatchObject({ before: { amount: '0' }, after: { amount: '100000' } });
  });

  it('reports each member’s effective limit, its source, and what they spent this period', async () => {
    await askAsCarol();
    await server.usage.flush();
    // A request settles after its last byte and its spend is written behind (ADR 0009: within 50 ms), so
    // the report is read until carol's spend shows.
    const read = async () => {
      const answer = await admin(
        'dave',
        'GET',
        `${LIMITS}/effective?user_ids[]=carol@acme.test&user_ids[]=alice@acme.test`,
      );
      expect(answer.status).toBe(200);
      return (await answer.json()) as {
        data: {
          scope: { user_id: string };
          amount: string;
          source: unknown;
          spend_limit_id: string;
          period_to_date_spend: string;
          actor: unknown;
        }[];
        next_page: string | null;
      };
    };
    const report = await vi.waitFor(async () => {
      const answer = await read();
      expect(Number(answer.data[1]?.period_to_date_spend)).toBeGreaterThan(0);
      return answer;
    });
    expect(report.next_page).toBeNull();
    expect(report.data.map((r) => r.scope.user_id)).toEqual(['alice@acme.test', 'carol@acme.test']);
    const carol = report.data[1]!;
    expect(carol).toMatchObject({
      amount: '5000',
      currency: 'USD',
      period: 'monthly',
      source: { type: 'organization' },
      spend_limit_id: 'spl_config_seat',
      actor: {
        type: 'user_actor',
        user_id: 'carol@acme.test',
        email_address: 'carol@acme.test',
        deleted: false,
      },
    });
    expect(Number(carol.period_to_date_spend)).toBeGreaterThan(0);
  });

  it('lists configured limits (the config’s per-member budgets read-only), with cursor pages tied to filters', async () => {
    await setLimit('dave', 'alice@acme.test', '2500');
    await setLimit('dave', 'carol@acme.test', '3500');
    const all = (await (await admin('dave', 'GET', LIMITS)).json()) as { data: SpendLimit[] };
    expect(all.data.map((l) => [l.id.startsWith('spl_config_') ? l.id : l.scope.user_id, l.source])).toEqual([
      ['spl_config_seat', 'config'],
      ['spl_config_admin-seats', 'config'],
      ['alice@acme.test', 'api'],
      ['carol@acme.test', 'api'],
    ]);
    expect(all.data[0]!.scope).toEqual({ type: 'organization' });
    const first = (await (await admin('dave', 'GET', `${LIMITS}?scope_type[]=user&limit=1`)).json()) as {
      data: SpendLimit[];
      next_page: string;
    };
    expect(first.data.map((l) => l.scope.user_id)).toEqual(['alice@acme.test']);
    const second = (await (
      await admin('dave', 'GET', `${LIMITS}?scope_type[]=user&limit=1&page=${first.next_page}`)
    ).json()) as { data: SpendLimit[]; next_page: string | null };
    expect(second.data.map((l) => l.scope.user_id)).toEqual(['carol@acme.test']);
    expect(second.next_page).toBeNull();
    const mismatched = await admin('dave', 'GET', `${LIMITS}?limit=1&page=${first.next_page}`);
    expect(mismatched.status).toBe(400);
    expect(((await mismatched.json()) as { error: { message: string } }).error.message).toBe(
      'cursor does not match current query parameters',
    );
    expect((await admin('dave', 'DELETE', `${LIMITS}/spl_config_seat`)).status).toBe(400);
  });
});

describe('spend limits: seats through IdP groups', () => {
  it('takes a group seat from the IdP groups of a member’s active sign-in, not of a revoked one', async () => {
    // judy and mallory are in data-team; acme-platform-admins is the IdP group of platform-admins.
    await server.storage.signIn.createSession(
      signInSession('acme', 'judy@acme.test', ['acme-platform-admins']),
    );
    const revoked = signInSession('acme', 'mallory@acme.test', ['acme-platform-admins']);
    await server.storage.signIn.createSession(revoked);
    await server.storage.signIn.revokeSession('acme', revoked.id, new Date());
    const answer = await admin(
      'dave',
      'GET',
      `${LIMITS}/effective?user_ids[]=judy@acme.test&user_ids[]=mallory@acme.test`,
    );
    expect(answer.status).toBe(200);
    const report = (await answer.json()) as {
      data: { scope: { user_id: string }; amount: string; source: unknown; spend_limit_id: string }[];
    };
    expect(report.data.map((r) => [r.scope.user_id, r.amount, r.source, r.spend_limit_id])).toEqual([
      ['judy@acme.test', '7000', { type: 'group', group_id: 'platform-admins' }, 'spl_config_admin-seats'],
      ['mallory@acme.test', '5000', { type: 'organization' }, 'spl_config_seat'],
    ]);
  });
});

describe('spend limits: input, roles and tenants', () => {
  it('names the field of bad input, and the user it does not know', async () => {
    const cases: [unknown, string][] = [
      [{ scope: { type: 'organization' }, amount: '100' }, 'body.scope'],
      [{ scope: { type: 'user', user_id: 'alice@acme.test' }, amount: '12.5' }, 'body.amount'],
      [{ scope: { type: 'user', user_id: 'alice@acme.test' }, amount: 100 }, 'body.amount'],
      [{ scope: { type: 'user', user_id: 'alice@acme.test' } }, 'body.amount'],
      [{ scope: { type: 'user', user_id: 'alice@acme.test' }, amount: '1', period: 'hourly' }, 'body.period'],
    ];
    for (const [body, field] of cases) {
      const answer = await admin('dave', 'POST', LIMITS, body);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { details: { field: string } } }).error.details.field).toBe(
        field,
      );
    }
    expect((await setLimit('dave', 'nobody@acme.test', '1')).status).toBe(404);
    expect((await admin('dave', 'GET', `${LIMITS}?limit=0`)).status).toBe(400);
  });

  it('holds each caller to their role, their nodes and their tenant', async () => {
    // alice is a developer: no budgets permission at all.
    expect((await admin('alice', 'GET', LIMITS)).status).toBe(403);
    expect((await setLimit('alice', 'alice@acme.test', '999999')).status).toBe(403);
    // A read-only key cannot change anything.
    expect((await setLimit('daveRead', 'alice@acme.test', '1')).status).toBe(403);
    // bob leads platform: he may set a limit for alice (platform), not for erin (payments).
    expect((await setLimit('bob', 'alice@acme.test', '4000')).status).toBe(200);
    expect((await setLimit('bob', 'erin@acme.test', '4000')).status).toBe(403);
    await setLimit('dave', 'erin@acme.test', '4000');
    const seen = (await (await admin('bob', 'GET', `${LIMITS}?scope_type[]=user`)).json()) as {
      data: SpendLimit[];
    };
    expect(seen.data.map((l) => l.scope.user_id)).not.toContain('erin@acme.test');
    const report = (await (await admin('bob', 'GET', `${LIMITS}/effective`)).json()) as {
      data: { scope: { user_id: string } }[];
    };
    expect(report.data.map((r) => r.scope.user_id)).not.toContain('erin@acme.test');
    expect(report.data.map((r) => r.scope.user_id)).toContain('alice@acme.test');
    // globex's admin sees nothing of acme's, not even whether an id exists.
    const erin = await idOf(await admin('dave', 'GET', `${LIMITS}?scope_type[]=user`), 'erin@acme.test');
    expect((await admin('hank', 'GET', LIMITS)).status).toBe(200);
    expect((await admin('hank', 'GET', `${LIMITS}/${erin}`)).status).toBe(404);
    expect((await admin('hank', 'DELETE', `${LIMITS}/${erin}`)).status).toBe(404);
    expect((await setLimit('hank', 'alice@acme.test', '1')).status).toBe(404);
    const globexReport = (await (await admin('hank', 'GET', `${LIMITS}/effective`)).json()) as {
      data: { scope: { user_id: string } }[];
    };
    expect(globexReport.data.every((r) => r.scope.user_id.endsWith('@globex.test'))).toBe(true);
    // Without a key at all.
    expect((await fetch(`${server.url}${LIMITS}`)).status).toBe(401);
  });
});

async function idOf(answer: Response, user: string): Promise<string> {
  const { data } = (await answer.json()) as { data: SpendLimit[] };
  return data.find((l) => l.scope.user_id === user)!.id;
}
