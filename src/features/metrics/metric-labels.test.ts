// Label bounding: what callers or clients choose (models, tenants, event names, methods) never becomes an
// unbounded set of series, and nothing is labelled per user or per key.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { NO_TOKENS } from '../../core/pricing/usage-cost.ts';
import type { UsageRecord } from '../../storage/usage-port.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import { HookMetrics } from './hook-metrics.ts';
import { HttpMetrics, UNMATCHED_ROUTE } from './http-metrics.ts';

async function samples(registry: Registry, name: string) {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map((v) => ({ labels: v.labels, value: v.value }));
}

function usage(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    tenantId: 'acme',
    requestId: 'r1',
    at: new Date(0),
    principal: { type: 'user', id: 'alice@acme.test' },
    keyId: 'key-1',
    businessUnitId: 'engineering',
    teamId: 'platform',
    sessionId: 's1',
    agentId: null,
    model: 'claude-sonnet-4-5-20250929',
    upstream: 'anthropic',
    status: 200,
    outcome: 'complete',
    stream: true,
    tokens: { input: 100, output: 10, cacheRead: 1000, cacheWrite5m: 30, cacheWrite1h: 20 },
    costMicro: 2_500,
    pricedAs: 'claude-sonnet-4-5',
    priceVersion: 'v',
    latencyMs: 1,
    ttfbMs: 1,
    ...overrides,
  };
}

describe('GatewayMetrics', () => {
  it('counts requests, tokens by kind and dollars by tenant and priced model', async () => {
    const registry = new Registry();
    const metrics = new GatewayMetrics(registry);
    metrics.usage(usage());
    metrics.usage(usage({ requestId: 'r2' }));
    const key = { tenant: 'acme', model: 'claude-sonnet-4-5' };
    expect(await samples(registry, 'llm_rules_gateway_requests_total')).toEqual([
      { labels: { ...key, outcome: 'complete' }, value: 2 },
    ]);
    expect(await samples(registry, 'llm_rules_gateway_tokens_total')).toEqual([
      { labels: { ...key, kind: 'input' }, value: 200 },
      { labels: { ...key, kind: 'output' }, value: 20 },
      { labels: { ...key, kind: 'cache_creation' }, value: 100 },
      { labels: { ...key, kind: 'cache_read' }, value: 2000 },
    ]);
    expect(await samples(registry, 'llm_rules_gateway_cost_usd_total')).toEqual([
      { labels: key, value: 0.005 },
    ]);
  });

  it('labels a model missing from the price table `other`, never by the name the client sent', async () => {
    const registry = new Registry();
    const metrics = new GatewayMetrics(registry);
    for (const model of ['made-up-1', 'made-up-2', 'claude-9000']) {
      metrics.usage(usage({ model, pricedAs: null, outcome: 'refused', tokens: { ...NO_TOKENS } }));
    }
    expect(await samples(registry, 'llm_rules_gateway_requests_total')).toEqual([
      { labels: { tenant: 'acme', model: 'other', outcome: 'refused' }, value: 3 },
    ]);
  });

  it('collapses tenants past its bound into `other`', async () => {
    const registry = new Registry();
    const metrics = new GatewayMetrics(registry);
    for (let i = 0; i < 250; i++) metrics.usage(usage({ tenantId: `t${i}` }));
    const tenants = new Set(
      (await samples(registry, 'llm_rules_gateway_requests_total')).map((s) => s.labels.tenant),
    );
    expect(tenants.size).toBe(201);
    expect(tenants.has('other')).toBe(true);
    expect(tenants.has('t249')).toBe(false);
  });

  it('counts streams the upstream cut or garbled as upstream errors', async () => {
    const registry = new Registry();
    const metrics = new GatewayMetrics(registry);
    metrics.usage(usage({ outcome: 'cut' }));
    metrics.usage(usage({ outcome: 'malformed', upstream: 'bedrock-east' }));
    metrics.upstreamError('anthropic', 'overloaded');
    metrics.upstreamError('anthropic', 'overloaded');
    expect(await samples(registry, 'llm_rules_gateway_upstream_errors_total')).toEqual([
      { labels: { upstream: 'anthropic', kind: 'stream_cut' }, value: 1 },
      { labels: { upstream: 'bedrock-east', kind: 'malformed_stream' }, value: 1 },
      { labels: { upstream: 'anthropic', kind: 'overloaded' }, value: 2 },
    ]);
  });

  it('has no user, key or session label', async () => {
    const registry = new Registry();
    new GatewayMetrics(registry).usage(usage());
    const text = await registry.metrics();
    for (const personal of ['alice@acme.test', 'key-1', 's1', 'platform', 'engineering']) {
      expect(text).not.toContain(personal);
    }
  });
});

describe('HookMetrics', () => {
  it('counts by event and outcome, and an event name no client should send as `other`', async () => {
    const registry = new Registry();
    const metrics = new HookMetrics(registry);
    metrics.decided('PreToolUse', 'allow');
    metrics.decided('PreToolUse', 'allow');
    metrics.decided('PreToolUse', 'deny');
    metrics.decided('Decide', 'none');
    metrics.decided('SomethingInvented', 'none');
    metrics.decided(`Random-${Math.random()}`, 'none');
    expect(await samples(registry, 'llm_rules_hook_decisions_total')).toEqual([
      { labels: { event: 'PreToolUse', outcome: 'allow' }, value: 2 },
      { labels: { event: 'PreToolUse', outcome: 'deny' }, value: 1 },
      { labels: { event: 'Decide', outcome: 'none' }, value: 1 },
      { labels: { event: 'other', outcome: 'none' }, value: 2 },
    ]);
  });
});

describe('HttpMetrics', () => {
  it('labels by route template, known method and status class', async () => {
    const registry = new Registry();
    const metrics = new HttpMetrics(registry);
    metrics.observe('/api/v1/keys/:id', 'GET', 200, 0.002);
    metrics.observe('/api/v1/keys/:id', 'GET', 204, 0.004);
    metrics.observe(UNMATCHED_ROUTE, 'BREW', 404, 0.001);
    metrics.observe(UNMATCHED_ROUTE, 'PROPFIND', 999, 0.001);
    const counts = (await samples(registry, 'llm_rules_http_request_duration_seconds')).filter(
      (s) => s.labels.le === '+Inf',
    );
    expect(counts).toEqual([
      {
        labels: { le: '+Inf', route: '/api/v1/keys/:id', method: 'GET', status_class: '2xx' },
        value: 2,
      },
      { labels: { le: '+Inf', route: 'unmatched', method: 'other', status_class: '4xx' }, value: 1 },
      { labels: { le: '+Inf', route: 'unmatched', method: 'other', status_class: '5xx' }, value: 1 },
    ]);
  });
});
