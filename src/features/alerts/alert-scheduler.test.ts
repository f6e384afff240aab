import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertsConfig } from '../../config/policy-config.ts';
import type { EvaluatedBundle } from './alert-evaluator.ts';
import { MemoryMetricSource } from './alert-metric-source.ts';
import type { AlertScheduler } from './alert-scheduler.ts';
import { createAlertScheduler } from './install-alerts.ts';
import { type AlertsTestWorld, alertsBundle, alertsTestWorld } from './test-support/alerts-test-kit.ts';
import { type HttpReceiver, startHttpReceiver } from './test-support/receivers.ts';

let world: AlertsTestWorld;
let metrics: MemoryMetricSource;
let hook: HttpReceiver;
const schedulers: AlertScheduler[] = [];

beforeEach(async () => {
  world = await alertsTestWorld();
  metrics = new MemoryMetricSource();
  hook = await startHttpReceiver();
});
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  await hook.close();
});

function scheduler(holder: string, bundle: () => EvaluatedBundle | undefined): AlertScheduler {
  const { storage, audit, logger, clock } = world;
  const s = createAlertScheduler({
    storage,
    bundle: { current: bundle },
    audit,
    env: {},
    clock,
    logger,
    metrics,
    holder,
    deliveryPollMs: 20,
  });
  schedulers.push(s);
  return s;
}

const config = (): Partial<AlertsConfig> => ({
  evaluation_interval: '1s',
  alerts: [{ name: 'cost', condition: 'daily_cost > $10', severity: 'warning', action: 'hook' }],
  channels: { hook: { type: 'webhook', url: hook.url } },
});

describe('AlertScheduler', () => {
  it('lets one instance evaluate at a time, and hands over when it stops or its lease lapses', async () => {
    const bundle = alertsBundle(config());
    const [a, b] = [scheduler('a', () => bundle), scheduler('b', () => bundle)];
    expect(a.intervalMs()).toBe(1_000);
    expect(await a.tick()).toEqual({ transitions: 0, notifications: 0, budgetNotifications: 0 });
    expect(await b.tick()).toBeUndefined();
    // The lease lasts two intervals and 10 s past the holder's last evaluation.
    world.clock.advance(11_999);
    expect(await b.tick()).toBeUndefined();
    world.clock.advance(1);
    expect(await b.tick()).toBeDefined();
    expect(await a.tick()).toBeUndefined();
    await b.stop();
    expect(await a.tick()).toBeDefined();
  });

  it('does nothing without an active bundle', async () => {
    expect(await scheduler('a', () => undefined).tick()).toBeUndefined();
  });

  it('evaluates on its own every interval and delivers what it queued', async () => {
    const bundle = alertsBundle(config());
    metrics.set('acme', 'daily_cost', 12);
    scheduler('a', () => bundle).start();
    const delivered = () => world.storage.alerts.deliveries('acme', { status: 'delivered' });
    const deadline = Date.now() + 5_000;
    while ((await delivered()).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(await delivered()).toHaveLength(1);
    expect(hook.requests.map((r) => (r.json as { alert: string }).alert)).toEqual(['cost']);
  });
});
