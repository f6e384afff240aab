import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertRule } from '../../config/policy-config.ts';
import { AlertEvaluator } from './alert-evaluator.ts';
import { MemoryMetricSource } from './alert-metric-source.ts';
import {
  type AlertsTestWorld,
  alertAuditContexts,
  alertsBundle,
  alertsTestWorld,
} from './test-support/alerts-test-kit.ts';

const MIN = 60_000;
const ERRORS: AlertRule = {
  name: 'high_error_rate',
  condition: 'error_rate > 5%',
  severity: 'critical',
  action: 'oncall',
  for: '5m',
  renotify: '1h',
};
const CHANNELS = { oncall: { type: 'webhook' as const, url: 'https://hooks.test/x' } };

let world: AlertsTestWorld;
let metrics: MemoryMetricSource;
let ids: number;
const evaluator = () =>
  new AlertEvaluator({
    store: world.storage.alerts,
    metrics,
    audit: world.audit,
    logger: world.logger,
    newId: (prefix) => `${prefix}-${++ids}`,
  });

beforeEach(async () => {
  world = await alertsTestWorld(['acme', 'globex']);
  metrics = new MemoryMetricSource();
  ids = 0;
});

describe('AlertEvaluator', () => {
  it('goes pending, fires after for:, reminds after renotify, resolves — one notification each', async () => {
    const bundle = alertsBundle({ alerts: [ERRORS], channels: CHANNELS });
    const run = async (rate: number | undefined, advanceMs = 0) => {
      world.clock.advance(advanceMs);
      metrics.set('acme', 'error_rate', rate);
      return evaluator().evaluate(bundle, world.clock.now());
    };
    expect(await run(0.01)).toEqual({ transitions: 0, notifications: 0 });
    expect(await run(0.07, MIN)).toEqual({ transitions: 1, notifications: 0 });
    expect(await run(0.08, 4 * MIN)).toEqual({ transitions: 0, notifications: 0 });
    expect(await run(0.09, MIN)).toEqual({ transitions: 1, notifications: 1 });
    // De-duplicated: still firing, within the re-notify interval.
    for (let i = 0; i < 5; i++)
      expect(await run(0.09, 10 * MIN)).toEqual({ transitions: 0, notifications: 0 });
    expect(await run(0.09, 10 * MIN)).toEqual({ transitions: 0, notifications: 1 });
    expect(await run(undefined, MIN)).toEqual({ transitions: 0, notifications: 0 });
    expect(await run(0.02, MIN)).toEqual({ transitions: 1, notifications: 1 });

    const deliveries = (await world.storage.alerts.deliveries('acme')).reverse();
    expect(deliveries.map((d) => [d.notification.status, d.notification.repeat, d.channel])).toEqual([
      ['firing', false, 'oncall'],
      ['firing', true, 'oncall'],
      ['resolved', false, 'oncall'],
    ]);
    // One episode: the same instance id throughout (PagerDuty's dedup_key).
    expect(new Set(deliveries.map((d) => d.notification.instanceId))).toEqual(new Set(['alr-1']));
    expect(deliveries[0]!.notification).toMatchObject({
      source: 'rule',
      tenantId: 'acme',
      alert: 'high_error_rate',
      severity: 'critical',
      scope: 'tenant',
      condition: 'error_rate > 5%',
      value: 0.09,
      valueText: '9%',
      startsAt: '2026-03-02T10:06:00.000Z',
      endsAt: null,
      summary: 'high_error_rate is firing in acme: error_rate is 9% (condition error_rate > 5%)',
    });
    expect(deliveries[2]!.notification).toMatchObject({
      endsAt: '2026-03-02T11:08:00.000Z',
      summary: 'high_error_rate resolved in acme: error_rate is 2% (condition error_rate > 5%)',
    });

    const history = (await world.storage.alerts.history('acme')).reverse();
    expect(history.map((h) => [h.from, h.to, h.instanceId])).toEqual([
      ['inactive', 'pending', 'alr-1'],
      ['pending', 'firing', 'alr-1'],
      ['firing', 'resolved', 'alr-1'],
    ]);
    const audited = await alertAuditContexts(world.storage, 'acme');
    expect(audited.map((c) => [c.action, c.from, c.to, c.channel])).toEqual([
      ['transition', 'inactive', 'pending', 'oncall'],
      ['transition', 'pending', 'firing', 'oncall'],
      ['transition', 'firing', 'resolved', 'oncall'],
    ]);
    // The other tenant had no data: nothing stored.
    expect(await world.storage.alerts.states('globex')).toEqual([]);
  });

  it('keeps one instance per tenant and scope', async () => {
    const cost = { name: 'cost', condition: 'daily_cost > $40', severity: 'info' as const, action: 'oncall' };
    const bundle = alertsBundle(
      {
        alerts: [cost, { ...cost, name: 'team_cost', scope: { level: 'team', id: 'payments' } }],
        channels: CHANNELS,
      },
      ['acme', 'globex'],
    );
    metrics.set('acme', 'daily_cost', 41);
    metrics.set('globex', 'daily_cost', 50);
    metrics.set('acme', 'daily_cost', 45, { level: 'team', id: 'payments' });
    await evaluator().evaluate(bundle, world.clock.now());
    const summaries = async (t: string) =>
      (await world.storage.alerts.deliveries(t)).map((d) => d.notification.summary).sort();
    expect(await summaries('acme')).toEqual([
      'cost is firing in acme: daily_cost is $41.00 (condition daily_cost > $40)',
      'team_cost is firing in acme (team:payments): daily_cost is $45.00 (condition daily_cost > $40)',
    ]);
    expect(await summaries('globex')).toEqual([
      'cost is firing in globex: daily_cost is $50.00 (condition daily_cost > $40)',
    ]);
  });

  it('tracks and audits an alert whose action is a label, without sending anything', async () => {
    const bundle = alertsBundle({ alerts: [{ ...ERRORS, for: undefined, action: 'notify_admin' }] });
    metrics.set('acme', 'error_rate', 0.5);
    expect(await evaluator().evaluate(bundle, world.clock.now())).toEqual({
      transitions: 1,
      notifications: 0,
    });
    expect(await world.storage.alerts.deliveries('acme')).toEqual([]);
    expect((await alertAuditContexts(world.storage, 'acme')).map((c) => c.to)).toEqual(['firing']);
  });

  it('resolves a firing instance whose rule was removed, and quietly drops a pending one', async () => {
    const quick = { ...ERRORS, name: 'quick', for: undefined };
    metrics.set('acme', 'error_rate', 0.5);
    await evaluator().evaluate(
      alertsBundle({ alerts: [ERRORS, quick], channels: CHANNELS }),
      world.clock.now(),
    );
    world.clock.advance(MIN);
    await evaluator().evaluate(alertsBundle({ alerts: [], channels: CHANNELS }), world.clock.now());
    const states = await world.storage.alerts.states('acme');
    expect(states.map((s) => [s.alert, s.status])).toEqual([
      ['high_error_rate', 'inactive'],
      ['quick', 'resolved'],
    ]);
    const [resolved] = await world.storage.alerts.deliveries('acme');
    expect(resolved!.notification).toMatchObject({
      status: 'resolved',
      condition: null,
      summary: 'quick resolved in acme (its rule was removed from alerts.yaml)',
    });
  });

  it('treats a metric that cannot be read as no data, and says so', async () => {
    const failing = {
      value: async () => {
        throw new Error('rollups unavailable');
      },
    };
    const broken = new AlertEvaluator({
      store: world.storage.alerts,
      metrics: failing,
      audit: world.audit,
      logger: world.logger,
    });
    const bundle = alertsBundle({ alerts: [ERRORS], channels: CHANNELS });
    expect(await broken.evaluate(bundle, world.clock.now())).toEqual({ transitions: 0, notifications: 0 });
    expect(world.logger.lines).toEqual([
      {
        level: 'warn',
        obj: { err: new Error('rollups unavailable'), metric: 'error_rate', tenant: 'acme' },
        msg: 'alert metric could not be read',
      },
    ]);
  });

  it('notifies once when two evaluators run at the same moment', async () => {
    const bundle = alertsBundle({ alerts: [{ ...ERRORS, for: undefined }], channels: CHANNELS });
    metrics.set('acme', 'error_rate', 0.5);
    const reports = await Promise.all([1, 2, 3].map(() => evaluator().evaluate(bundle, world.clock.now())));
    expect(reports.map((r) => r.notifications).reduce((a, b) => a + b)).toBe(1);
    expect(await world.storage.alerts.deliveries('acme')).toHaveLength(1);
    expect(await world.storage.alerts.history('acme')).toHaveLength(1);
  });
});
