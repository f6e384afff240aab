// GET /metrics on a running server: behind its token, in the text format promtool accepts, with the
// numbers real hook calls and a real gateway request (against the Anthropic mock) produced.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerOptions } from '../src/http/server-options.ts';
import {
  METRICS_TOKEN,
  type MetricsServer,
  prometheusBinary,
  sendTraffic,
  startMetricsServer,
} from './support/metrics-traffic.ts';

const PROMTOOL = prometheusBinary('promtool', 'the promtool check of /metrics');

/** The value of one sample of the exposition, by metric name and labels in their order. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let target: MetricsServer;
  let text: string;

  beforeAll(async () => {
    target = await startMetricsServer();
    await sendTraffic(target);
    // A URL no route serves: counted under one `unmatched` series, never by its path.
    await fetch(`${target.server.url}/no/such/page-${Math.random()}?secret=1`);
    const response = await target.scrape();
    expect(response.status).toBe(200);
    text = await response.text();
  });
  afterAll(async () => {
    await target?.close();
  });

  it('is 401 without the metrics token, or with a developer key instead', async () => {
    expect((await target.scrape(null)).status).toBe(401);
    expect((await target.scrape(target.userToken)).status).toBe(401);
    expect((await target.scrape(`${METRICS_TOKEN}-not`)).status).toBe(401);
  });

  it('counts hook decisions by event and outcome', () => {
    expect(sample(text, 'llm_rules_hook_decisions_total{event="PreToolUse",outcome="allow"}')).toBe(1);
    expect(sample(text, 'llm_rules_hook_decisions_total{event="PreToolUse",outcome="deny"}')).toBe(1);
  });

  it('counts the gateway request, its tokens by kind, its cost and the overloaded try before it', () => {
    const tm = 'tenant="acme",model="claude-sonnet-4-5"';
    expect(sample(text, `llm_rules_gateway_requests_total{${tm},outcome="complete"}`)).toBe(1);
    expect(sample(text, `llm_rules_gateway_tokens_total{${tm},kind="input"}`)).toBe(1000);
    expect(sample(text, `llm_rules_gateway_tokens_total{${tm},kind="output"}`)).toBe(20);
    expect(sample(text, `llm_rules_gateway_tokens_total{${tm},kind="cache_read"}`)).toBe(500);
    expect(sample(text, `llm_rules_gateway_cost_usd_total{${tm}}`)).toBeGreaterThan(0);
    expect(
      sample(text, 'llm_rules_gateway_upstream_errors_total{upstream="anthropic",kind="overloaded"}'),
    ).toBe(1);
  });

  it('times requests by route template (the raw gateway route too), never by the URL as sent', () => {
    const count = (labels: string) =>
      sample(text, `llm_rules_http_request_duration_seconds_count{${labels}}`);
    expect(count('route="/v1/hooks/claude-code",method="POST",status_class="2xx"')).toBe(2);
    expect(count('route="/v1/messages",method="POST",status_class="2xx"')).toBe(1);
    expect(count('route="unmatched",method="GET",status_class="4xx"')).toBe(1);
    expect(text).not.toContain('/no/such/page');
    expect(text).not.toContain('beta=true');
  });

  it('reads the queues and the budgets at scrape time, and has no per-user or per-key label', () => {
    expect(sample(text, 'llm_rules_audit_queue_depth')).toBe(0);
    expect(sample(text, 'llm_rules_gateway_usage_queue_depth')).toBe(0);
    expect(
      sample(text, 'llm_rules_budget_utilization_ratio{tenant="acme",budget="acme-total",period="monthly"}'),
    ).toBeGreaterThanOrEqual(0);
    expect(text).not.toContain('budget="alice"');
    expect(text).not.toContain('alice@acme.test');
    expect(text).not.toContain(target.userToken.slice(0, 12));
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
  });

  it.skipIf(!PROMTOOL)('passes promtool check metrics without a lint problem', () => {
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${checked.stdout}${checked.stderr}`).toBe('');
    expect(checked.status).toBe(0);
  });
});

describe('the metrics options', () => {
  it('switch /metrics off, and take the token from the environment', async () => {
    const off = await startMetricsServer({ metrics: 'false' });
    try {
      expect((await off.scrape()).status).toBe(404);
    } finally {
      await off.close();
    }
    const fromEnv = resolveServerOptions([
      { name: 'environment', values: { metrics: 'on', metricsToken: 'sixteen-chars-at-least' } },
    ]);
    expect(fromEnv).toMatchObject({ metrics: true, metricsToken: 'sixteen-chars-at-least' });
    expect(resolveServerOptions([]).metrics).toBe(true);
    expect(() => resolveServerOptions([{ name: 'environment', values: { metrics: 'maybe' } }])).toThrow(
      /Server option metrics \(from environment\)/,
    );
    expect(() => resolveServerOptions([{ name: 'environment', values: { metricsToken: 'short' } }])).toThrow(
      /metricsToken.*16 characters/,
    );
  });
});
