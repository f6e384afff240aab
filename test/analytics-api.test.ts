// The analytics API over telemetry that arrived by OTLP: grouped, derived metrics, CSV, and each reader
// held to the teams they may read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/core/clock/clock.ts';
import type { ServerHandle } from '../src/server.ts';
import { readFixture } from './support/claude-code-fixtures.ts';
import { startExampleServer } from './support/example-server.ts';
import { usageRecord } from './support/usage-record.ts';

const LOGS = readFixture('otlp-logs.ndjson').trim();
const METRICS = readFixture('otlp-metrics.ndjson').trim();
const WINDOW = 'from=2026-11-21T00:00:00Z&to=2026-11-23T00:00:00Z';
const A = '/api/v1/tenants/acme/analytics';
const READERS = ['root@acme.test', 'alice@acme.test', 'judy@acme.test', 'mallory@acme.test'];

describe('analytics API', () => {
  let server: ServerHandle;
  const admin: Record<string, string> = {};
  const otlp: Record<string, string> = {};

  beforeAll(async () => {
    ({ server } = await startExampleServer());
    for (const user of READERS) {
      const principal = { type: 'user' as const, id: user };
      admin[user] = (
        await server.keys.create({ tenantId: 'acme', principal, scopes: ['admin:read'] })
      ).plaintext;
      otlp[user] = (await server.keys.create({ tenantId: 'acme', principal })).plaintext;
    }
    // The same captured session, once from platform (alice) and once from analytics (mallory).
    for (const user of ['alice@acme.test', 'mallory@acme.test']) {
      const session = `session-of-${user}`;
      for (const [path, body] of [
        ['/v1/logs', LOGS],
        ['/v1/metrics', METRICS],
      ] as const) {
        const response = await server.app.inject({
          method: 'POST',
          url: path,
          headers: { authorization: `Bearer ${otlp[user]}`, 'content-type': 'application/json' },
          payload: body.replaceAll('ac9eb29e-2fe6-4278-b4f4-9d6a4d13b3bf', session),
        });
        expect(response.statusCode).toBe(200);
      }
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  const get = async (user: string, path: string) => {
    const response = await server.app.inject({
      method: 'GET',
      url: path,
      headers: { authorization: `Bearer ${admin[user]}` },
    });
    return {
      status: response.statusCode,
      json: () => response.json(),
      text: response.body,
      type: response.headers['content-type'],
    };
  };

  it('groups cost and activity by team, with the derived metrics and active users', async () => {
    const answer = await get('root@acme.test', `${A}/usage?${WINDOW}&group_by=team`);
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(body.visible).toBe('tenant');
    expect(body.rows.map((r: { team: string }) => r.team)).toEqual(['analytics', 'platform']);
    for (const row of body.rows) {
      expect(row).toMatchObject({
        requests: 2,
        cost_micro: 1080,
        cost_usd: 0.00108,
        error_rate: 0,
        tool_decisions: 1,
        rule_compliance_rate: 0,
        sessions: 1,
        cost_per_session_usd: 0.00108,
        prompts: 1,
      });
    }
    expect(body.totals).toMatchObject({ requests: 4, cost_usd: 0.00216, active_users: 2 });
    // 100 prompt tokens per call in a 200,000-token window.
    expect(body.totals.context_usage_pct).toBe(0.05);
  });

  it('shows each reader only the teams they may read', async () => {
    const alice = (await get('alice@acme.test', `${A}/usage?${WINDOW}&group_by=team,user`)).json();
    // alice is a developer through the engineers group, bound at business unit engineering.
    expect(alice.visible).toBe('platform,payments');
    expect(alice.rows.map((r: { team: string; user: string }) => `${r.team}:${r.user}`)).toEqual([
      'platform:alice@acme.test',
    ]);
    expect(alice.totals.active_users).toBe(1);
    // Asking for another team's rows gives nothing, not an error that confirms they exist.
    expect((await get('alice@acme.test', `${A}/usage?${WINDOW}&team=analytics`)).json().rows).toEqual([]);
    const mallory = (await get('mallory@acme.test', `${A}/usage?${WINDOW}&group_by=team`)).json();
    expect(mallory.rows.map((r: { team: string }) => r.team)).toEqual(['analytics']);
  });

  it('gives trends by time bucket and the same rows as CSV', async () => {
    const hourly = (
      await get('root@acme.test', `${A}/usage?${WINDOW}&granularity=hour&group_by=bucket`)
    ).json();
    expect(hourly.rows).toEqual([
      expect.objectContaining({ bucket: '2026-11-21T22:00:00.000Z', requests: 4, sessions: 2 }),
    ]);
    // Metric points (sessions, active time) carry no model: they are the row with model "".
    const byModel = (await get('root@acme.test', `${A}/usage?${WINDOW}&group_by=model`)).json();
    expect(byModel.rows.map((r: { model: string; requests: number }) => [r.model, r.requests])).toEqual([
      ['', 0],
      ['claude-opus-5-5', 4],
    ]);
    const csv = await get('root@acme.test', `${A}/usage.csv?${WINDOW}&group_by=team`);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    const [header, ...lines] = csv.text.trim().split('\n');
    expect(header!.split(',').slice(0, 3)).toEqual(['team', 'requests', 'errors']);
    expect(lines.map((l) => l.split(',')[0])).toEqual(['analytics', 'platform']);
  });

  it('names the field of a bad query', async () => {
    const bad = await get('root@acme.test', `${A}/usage?group_by=tool`);
    expect(bad.status).toBe(400);
    expect(bad.json().error.message).toMatch(/^query\.group_by: group_by: "tool" is not one of/);
    const span = await get(
      'root@acme.test',
      `${A}/usage?granularity=minute&from=2026-11-01T00:00:00Z&to=2026-11-20T00:00:00Z`,
    );
    expect(span.status).toBe(400);
    expect(span.json().error.details.field).toBe('query.from');
  });

  it('forecasts each budget the reader may see to the end of its period', async () => {
    // $30 through the gateway for the platform team today.
    await server.storage.usage.insert([
      usageRecord({ requestId: `forecast-${Date.now()}`, costMicro: 30_000_000 }),
    ]);
    const root = (await get('root@acme.test', `${A}/forecast`)).json() as {
      budget: string;
      forecast: { spent_usd: number; forecast_usd: number; variance_usd: number } | null;
    }[];
    expect(root.map((b) => b.budget)).toEqual([
      'acme-total',
      'engineering',
      'data',
      'platform-team',
      'payments-team',
      'ml-team',
      'alice',
    ]);
    const platform = root.find((b) => b.budget === 'platform-team')!.forecast!;
    expect(platform.spent_usd).toBe(30);
    expect(platform.forecast_usd).toBeGreaterThanOrEqual(30);
    expect(platform.variance_usd).toBeCloseTo(platform.forecast_usd - 5000, 2);
    expect(root.find((b) => b.budget === 'payments-team')!.forecast!.spent_usd).toBe(0);
    // alice reads analytics for engineering's teams (and herself), not for the tenant or data.
    const alice = (await get('alice@acme.test', `${A}/forecast`)).json() as { budget: string }[];
    expect(alice.map((b) => b.budget)).toEqual(['engineering', 'platform-team', 'payments-team', 'alice']);
  });

  it('counts security incidents from the audit chain, for the teams the reader may see', async () => {
    const hook = (payload: Record<string, unknown>) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/hooks/claude-code',
        headers: { authorization: `Bearer ${otlp['alice@acme.test']}` },
        payload: { session_id: 'incident-session', cwd: '/home/alice/app', ...payload },
      });
    await hook({
      hook_event_name: 'PreToolUse',
      tool_name: 'Read',
      tool_input: { file_path: '/home/alice/app/.env' },
    });
    await hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'cat .env' } });
    const prompt = await hook({
      hook_event_name: 'UserPromptSubmit',
      prompt: `deploy with AKIA${'IOSFODNN7EXAMPL'}E please`,
    });
    // Checked here so that a miscount below says whether the hook blocked the prompt at all (this test
    // once counted no blocked prompt in a CI run, and was not reproduced in ten runs after).
    expect(prompt.statusCode, prompt.body).toBe(200);
    expect(prompt.json(), prompt.body).toMatchObject({ decision: 'block' });
    const root = (await get('root@acme.test', `${A}/incidents`)).json();
    expect(root).toMatchObject({ denied_tool_calls: 2, blocked_prompts: 1 });
    expect(root.by_user).toEqual([{ user: 'alice@acme.test', denied: 2, asked: 0, blocked_prompts: 1 }]);
    expect(root.by_tool.map((t: { tool: string }) => t.tool).sort()).toEqual(['Bash', 'Read']);
    expect(root.by_day).toEqual([
      expect.objectContaining({ day: new Date().toISOString().slice(0, 10), denied: 2 }),
    ]);
    // mallory reads analytics for the data business unit only: alice's incidents are not hers to see.
    expect((await get('mallory@acme.test', `${A}/incidents`)).json()).toMatchObject({
      denied_tool_calls: 0,
      by_user: [],
    });
    const tooLong = await get(
      'root@acme.test',
      `${A}/incidents?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`,
    );
    expect(tooLong.status).toBe(400);
  });

  it('tells which tools are adopted, refused and failing, for the teams the reader may see', async () => {
    const tools = (await get('root@acme.test', `${A}/tools?${WINDOW}`)).json();
    // The fixture's one tool_decision (Read, rejected by a hook) from each of two developers.
    expect(tools).toEqual([
      expect.objectContaining({
        tool: 'Read',
        users: 2,
        decisions: 2,
        rejects: 2,
        refusal_rate: 1,
        results: 0,
        failure_rate: null,
      }),
    ]);
    const alice = (await get('alice@acme.test', `${A}/tools?${WINDOW}`)).json();
    expect(alice).toEqual([expect.objectContaining({ tool: 'Read', users: 1, decisions: 1 })]);
  });
});

describe('analytics API, a record stamped in the millisecond of the query', () => {
  it('counts it: the default window ends just after now, not at now', async () => {
    // A clock that stands still: the prompt's audit record and the query share one millisecond, as they
    // can on a fast machine (this test's sibling above once counted no blocked prompt in CI).
    const clock = manualClock(new Date());
    const { server, tokens } = await startExampleServer({ users: ['alice@acme.test'], clock });
    try {
      const admin = await server.keys.create({
        tenantId: 'acme',
        principal: { type: 'user', id: 'root@acme.test' },
        scopes: ['admin:read'],
      });
      const prompt = await server.app.inject({
        method: 'POST',
        url: '/v1/hooks/claude-code',
        headers: { authorization: `Bearer ${tokens['alice@acme.test']}` },
        payload: {
          session_id: 'same-millisecond',
          cwd: '/home/alice/app',
          hook_event_name: 'UserPromptSubmit',
          prompt: `deploy with AKIA${'IOSFODNN7EXAMPL'}E please`,
        },
      });
      expect(prompt.json(), prompt.body).toMatchObject({ decision: 'block' });
      const incidents = await server.app.inject({
        method: 'GET',
        url: `${A}/incidents`,
        headers: { authorization: `Bearer ${admin.plaintext}` },
      });
      expect(incidents.json()).toMatchObject({ blocked_prompts: 1 });
      expect(new Date(incidents.json().to).getTime()).toBe(clock.now().getTime() + 1);
    } finally {
      await server.close();
    }
  });
});
