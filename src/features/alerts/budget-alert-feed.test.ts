import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditInput } from '../audit/audit-log.ts';
import { BudgetAlertFeed } from './budget-alert-feed.ts';
import {
  type AlertsTestWorld,
  alertAuditContexts,
  alertsBundle,
  alertsTestWorld,
} from './test-support/alerts-test-kit.ts';

const CHANNELS = { finance: { type: 'webhook' as const, url: 'https://hooks.test/finance' } };
const WITH_BUDGET_ALERTS = alertsBundle({ channels: CHANNELS, budget_alerts: { action: 'finance' } });

/** What the gateway records when a budget passes a threshold (install-gateway.ts recordThreshold). */
function thresholdPassed(threshold: number, overrides: Record<string, string | number> = {}): AuditInput {
  return {
    event: 'budget',
    user: 'alice@acme.test',
    context: {
      action: 'threshold_passed',
      budget: 'payments-monthly',
      counter: 'payments-monthly',
      scope: 'team:payments',
      mode: 'pooled',
      period: 'monthly',
      period_start: '2026-03-01T00:00:00.000Z',
      resets_at: '2026-04-01T00:00:00.000Z',
      threshold,
      spent_micro: 412_500_000,
      limit_micro: 500_000_000,
      ...overrides,
    },
  };
}

let world: AlertsTestWorld;
let feed: BudgetAlertFeed;

beforeEach(async () => {
  world = await alertsTestWorld();
  const startedAt = world.clock.now();
  world.clock.advance(1_000);
  feed = new BudgetAlertFeed({
    store: world.storage.alerts,
    auditStore: world.storage.audit,
    audit: world.audit,
    logger: world.logger,
    startedAt,
  });
});

describe('BudgetAlertFeed', () => {
  it('turns each threshold event into one notification to budget_alerts.action, once', async () => {
    await world.audit.record('acme', thresholdPassed(80));
    await world.audit.record('acme', { event: 'budget', context: { action: 'increase_requested' } });
    await world.audit.record('acme', thresholdPassed(100, { spent_micro: 500_000_000 }));
    expect(await feed.poll(WITH_BUDGET_ALERTS, world.clock.now())).toBe(2);
    expect(await feed.poll(WITH_BUDGET_ALERTS, world.clock.now())).toBe(0);

    const deliveries = (await world.storage.alerts.deliveries('acme')).reverse();
    expect(deliveries.map((d) => [d.id, d.channel, d.notification.severity])).toEqual([
      ['budget-1', 'finance', 'warning'],
      ['budget-3', 'finance', 'critical'],
    ]);
    expect(deliveries[0]!.notification).toMatchObject({
      source: 'budget',
      status: 'firing',
      alert: 'budget:payments-monthly',
      scope: 'team:payments',
      instanceId: 'acme/payments-monthly@2026-03-01T00:00:00.000Z#80',
      summary:
        'Budget payments-monthly (team:payments) passed 80% in acme: $412.50 of $500.00 this monthly period, resets 2026-04-01T00:00:00.000Z',
      budget: { threshold: 80, spentUsd: 412.5, limitUsd: 500, mode: 'pooled', user: null },
    });
    const history = await world.storage.alerts.history('acme');
    expect(history.map((h) => [h.alert, h.from, h.to])).toEqual([
      ['budget:payments-monthly', 'inactive', 'firing'],
      ['budget:payments-monthly', 'inactive', 'firing'],
    ]);
    expect((await alertAuditContexts(world.storage, 'acme')).map((c) => [c.source, c.to, c.channel])).toEqual(
      [
        ['budget', 'firing', 'finance'],
        ['budget', 'firing', 'finance'],
      ],
    );
  });

  it('names the seat of a per-seat budget', async () => {
    await world.audit.record('acme', thresholdPassed(50, { mode: 'per_seat', counter: 'seat:alice' }));
    await feed.poll(WITH_BUDGET_ALERTS, world.clock.now());
    const [delivery] = await world.storage.alerts.deliveries('acme');
    expect(delivery!.notification.summary).toMatch(
      /^Budget payments-monthly \(team:payments\) for alice@acme.test/,
    );
  });

  it('names the holder of a key budget’s key', async () => {
    await world.audit.record('acme', thresholdPassed(50, { scope: 'key:LaptopKey123', counter: 'laptop' }));
    await feed.poll(WITH_BUDGET_ALERTS, world.clock.now());
    const [delivery] = await world.storage.alerts.deliveries('acme');
    expect(delivery!.notification.summary).toMatch(
      /^Budget payments-monthly \(key:LaptopKey123\) for alice@acme.test/,
    );
  });

  it('names no member for a group’s pool (its members share it), and the member for a group seat', async () => {
    const group = { scope: 'group:engineers', budget: 'engineers', counter: 'engineers' };
    await world.audit.record('acme', thresholdPassed(50, group));
    await world.audit.record(
      'acme',
      thresholdPassed(50, { ...group, mode: 'per_seat', counter: 'seat:alice' }),
    );
    await feed.poll(WITH_BUDGET_ALERTS, world.clock.now());
    const summaries = (await world.storage.alerts.deliveries('acme')).map((d) => d.notification.summary);
    expect(summaries.sort()).toEqual([
      expect.stringMatching(/^Budget engineers \(group:engineers\) for alice@acme.test passed 50%/),
      expect.stringMatching(/^Budget engineers \(group:engineers\) passed 50%/),
    ]);
  });

  it('does not send events from before alerting started', async () => {
    await world.audit.record('acme', {
      ...thresholdPassed(50),
      timestamp: new Date(world.clock.now().getTime() - 5_000),
    });
    await world.audit.record('acme', thresholdPassed(80));
    expect(await feed.poll(WITH_BUDGET_ALERTS, world.clock.now())).toBe(1);
  });

  it('without budget_alerts, moves past the events, so enabling them later does not replay the past', async () => {
    await world.audit.record('acme', thresholdPassed(80));
    expect(await feed.poll(alertsBundle({ channels: CHANNELS }), world.clock.now())).toBe(0);
    expect(await world.storage.alerts.history('acme')).toEqual([]);
    await world.audit.record('acme', thresholdPassed(100));
    expect(await feed.poll(WITH_BUDGET_ALERTS, world.clock.now())).toBe(1);
  });

  it('takes every event across batches, each once, when two feeds poll together', async () => {
    for (let i = 0; i < 450; i++) await world.audit.record('acme', thresholdPassed(i % 100));
    const other = new BudgetAlertFeed({
      store: world.storage.alerts,
      auditStore: world.storage.audit,
      audit: world.audit,
      logger: world.logger,
      startedAt: new Date(0),
    });
    let queued = 0;
    for (let round = 0; round < 4; round++) {
      const [a, b] = await Promise.all([
        feed.poll(WITH_BUDGET_ALERTS, world.clock.now()),
        other.poll(WITH_BUDGET_ALERTS, world.clock.now()),
      ]);
      queued += a + b;
    }
    expect(queued).toBe(450);
    expect(await world.storage.alerts.deliveries('acme', { limit: 1_000 })).toHaveLength(450);
    expect(await world.storage.alerts.history('acme', { limit: 1_000 })).toHaveLength(450);
  });
});
