// Alert delivery end to end, against local receivers: rules evaluated, notifications queued, and each channel
// format delivered over real HTTP or SMTP — signed, de-duplicated, resolved, retried and failed as specified.
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertChannel, AlertsConfig } from '../../config/policy-config.ts';
import { AlertDeliveryWorker } from './alert-delivery-worker.ts';
import { AlertEvaluator } from './alert-evaluator.ts';
import { MemoryMetricSource } from './alert-metric-source.ts';
import {
  type AlertsTestWorld,
  alertAuditContexts,
  alertsBundle,
  alertsTestWorld,
} from './test-support/alerts-test-kit.ts';
import {
  type HttpReceiver,
  type ScriptedAnswer,
  startHttpReceiver,
  startSmtpReceiver,
} from './test-support/receivers.ts';
import { verifyWebhook } from './webhook-signature.ts';

const HOUR = 3_600_000;
const RETRY = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 4_000 };

let world: AlertsTestWorld;
let metrics: MemoryMetricSource;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  world = await alertsTestWorld();
  metrics = new MemoryMetricSource();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function receiver(answer?: (n: number) => ScriptedAnswer): Promise<HttpReceiver> {
  const r = await startHttpReceiver(answer);
  closers.push(r.close);
  return r;
}

/** One alert `errors` (error_rate > 5%, fires at once, reminds hourly) to the channel `out`. */
function pipeline(
  channel: AlertChannel,
  env: Record<string, string> = {},
  extra: Partial<AlertsConfig> = {},
) {
  const bundle = alertsBundle({
    alerts: [
      { name: 'errors', condition: 'error_rate > 5%', severity: 'critical', action: 'out', renotify: '1h' },
    ],
    channels: { out: channel },
    ...extra,
  });
  const evaluator = new AlertEvaluator({
    store: world.storage.alerts,
    metrics,
    audit: world.audit,
    logger: world.logger,
  });
  const worker = new AlertDeliveryWorker({
    store: world.storage.alerts,
    config: () => bundle.content.alerts,
    env,
    audit: world.audit,
    logger: world.logger,
    clock: world.clock,
    retry: RETRY,
    random: () => 0,
  });
  return {
    /** Sets the error rate, evaluates, and sends what is due. */
    async step(rate: number, advanceMs = 0) {
      world.clock.advance(advanceMs);
      metrics.set('acme', 'error_rate', rate);
      await evaluator.evaluate(bundle, world.clock.now());
      return worker.runDue();
    },
    async retryLater(advanceMs: number) {
      world.clock.advance(advanceMs);
      return worker.runDue();
    },
    deliveries: () => world.storage.alerts.deliveries('acme'),
  };
}

describe('webhook channel', () => {
  it('posts the JSON document, signed with HMAC-SHA256 over timestamp.body', async () => {
    const hook = await receiver();
    const p = pipeline(
      { type: 'webhook', url: hook.url, secret: '${HOOK_SECRET}' },
      { HOOK_SECRET: 's3cret' },
    );
    expect(await p.step(0.075)).toBe(1);
    const [delivery] = await p.deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: world.clock.now() });

    const [request] = hook.requests;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^llm-rules\//);
    expect(request!.headers['x-llm-rules-delivery']).toBe(delivery!.id);
    const timestamp = String(Math.floor(world.clock.now().getTime() / 1000));
    expect(request!.headers['x-llm-rules-timestamp']).toBe(timestamp);
    // What a receiver computes (docs/alerts.md), and the helper that does it with a bounded age.
    const expected = createHmac('sha256', 's3cret').update(`${timestamp}.${request!.body}`).digest('hex');
    expect(request!.headers['x-llm-rules-signature']).toBe(`sha256=${expected}`);
    const headers = {
      signature: request!.headers['x-llm-rules-signature'] as string,
      timestamp: request!.headers['x-llm-rules-timestamp'] as string,
    };
    const nowSeconds = Number(timestamp);
    expect(verifyWebhook('s3cret', headers, request!.body, nowSeconds)).toBe(true);
    expect(verifyWebhook('other', headers, request!.body, nowSeconds)).toBe(false);
    expect(verifyWebhook('s3cret', headers, request!.body.replace('0.075', '0.001'), nowSeconds)).toBe(false);
    expect(verifyWebhook('s3cret', headers, request!.body, nowSeconds + 301)).toBe(false);

    expect(request!.json).toEqual({
      version: 1,
      delivery_id: delivery!.id,
      source: 'rule',
      status: 'firing',
      repeat: false,
      tenant: 'acme',
      alert: 'errors',
      severity: 'critical',
      scope: 'tenant',
      instance_id: expect.stringMatching(/^alr_[0-9a-f]{24}$/),
      condition: 'error_rate > 5%',
      value: 0.075,
      value_text: '7.5%',
      starts_at: '2026-03-02T10:00:00.000Z',
      ends_at: null,
      summary: 'errors is firing in acme: error_rate is 7.5% (condition error_rate > 5%)',
    });
  });

  it('sends unsigned when the channel has no secret', async () => {
    const hook = await receiver();
    const p = pipeline({ type: 'webhook', url: hook.url });
    await p.step(0.5);
    expect(hook.requests[0]!.headers['x-llm-rules-signature']).toBeUndefined();
  });
});

describe('slack channel', () => {
  it('posts a text fallback and Block Kit blocks to the incoming webhook', async () => {
    const slack = await receiver();
    const p = pipeline({ type: 'slack', url: slack.url });
    await p.step(0.075);
    await p.step(0.01, 60_000);
    const [firing, resolved] = slack.requests.map((r) => r.json as { text: string; blocks: unknown[] });
    expect(firing!.text).toBe(
      ':rotating_light: [FIRING] errors: errors is firing in acme: error_rate is 7.5% (condition error_rate &gt; 5%)',
    );
    expect(firing!.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '[FIRING] errors', emoji: true } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':rotating_light: errors is firing in acme: error_rate is 7.5% (condition error_rate &gt; 5%)',
        },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Severity*\ncritical' },
          { type: 'mrkdwn', text: '*Tenant*\nacme' },
          { type: 'mrkdwn', text: '*Scope*\ntenant' },
          { type: 'mrkdwn', text: '*Value*\n7.5%' },
        ],
      },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: expect.stringMatching(/^LLM-RULES · since 2026-03-02T10:00:00.000Z/) },
        ],
      },
    ]);
    expect(resolved!.text).toMatch(/^:white_check_mark: \[RESOLVED\] errors: errors resolved in acme/);
  });
});

describe('pagerduty channel', () => {
  it('triggers, then resolves the same incident by dedup_key', async () => {
    const pd = await receiver(() => ({ status: 202, body: '{"status":"success"}' }));
    const p = pipeline({ type: 'pagerduty', url: pd.url, routing_key: '${PD_KEY}' }, { PD_KEY: 'R0UTING' });
    await p.step(0.075);
    await p.step(0.01, 60_000);
    const [trigger, resolve] = pd.requests.map((r) => r.json as Record<string, unknown>);
    expect(trigger).toEqual({
      routing_key: 'R0UTING',
      event_action: 'trigger',
      dedup_key: expect.stringMatching(/^alr_/),
      client: 'LLM-RULES',
      payload: {
        summary: 'errors is firing in acme: error_rate is 7.5% (condition error_rate > 5%)',
        source: 'llm-rules/acme',
        severity: 'critical',
        timestamp: '2026-03-02T10:00:00.000Z',
        component: 'tenant',
        group: 'acme',
        class: 'errors',
        custom_details: { condition: 'error_rate > 5%', value: 0.075, value_text: '7.5%', repeat: false },
      },
    });
    expect(resolve).toEqual({
      routing_key: 'R0UTING',
      event_action: 'resolve',
      dedup_key: trigger!.dedup_key,
    });
    // The next episode is a new incident.
    await p.step(0.2, 60_000);
    expect((pd.requests[2]!.json as { dedup_key: string }).dedup_key).not.toBe(trigger!.dedup_key);
  });
});

describe('email channel', () => {
  it('sends over SMTP with the configured login, to every recipient', async () => {
    const smtp = await startSmtpReceiver({ username: 'alerts', password: 'smtp-pw' });
    closers.push(smtp.close);
    const p = pipeline(
      { type: 'email', to: ['oncall@acme.test', 'cto@acme.test'] },
      { SMTP_PASSWORD: 'smtp-pw' },
      {
        smtp: {
          host: '127.0.0.1',
          port: smtp.port,
          username: 'alerts',
          password: '${SMTP_PASSWORD}',
          from: 'LLM-RULES <alerts@acme.test>',
        },
      },
    );
    await p.step(0.075);
    const [delivery] = await p.deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail).toMatchObject({
      from: 'alerts@acme.test',
      to: ['oncall@acme.test', 'cto@acme.test'],
      user: 'alerts',
    });
    expect(mail!.headers).toContain('Subject: [FIRING] errors (critical) in acme');
    expect(mail!.headers).toContain('From: "LLM-RULES" <alerts@acme.test>');
    expect(mail!.headers).toContain('To: oncall@acme.test, cto@acme.test');
    expect(mail!.headers).toContain(`X-Llm-Rules-Delivery: ${delivery!.id}`);
    expect(mail!.text).toContain('errors is firing in acme: error_rate is 7.5% (condition error_rate > 5%)');
    expect(mail!.text).toContain(
      'Severity: critical\nTenant: acme\nScope: tenant\nCondition: error_rate > 5%',
    );
  });

  it('fails at once when the server refuses the recipient (5xx), with the reply stored', async () => {
    const smtp = await startSmtpReceiver({
      username: 'alerts',
      password: 'pw',
      rejectRecipient: { code: 550, message: 'No such mailbox' },
    });
    closers.push(smtp.close);
    const p = pipeline(
      {
        type: 'email',
        to: ['ghost@acme.test'],
        smtp: { host: '127.0.0.1', port: smtp.port, from: 'a@acme.test' },
      },
      {},
      { smtp: { username: 'alerts', password: 'pw' } },
    );
    await p.step(0.5);
    const [delivery] = await p.deliveries();
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery!.lastError).toMatch(/^SMTP 127\.0\.0\.1:\d+: .*550 No such mailbox/);
  });
});

describe('de-duplication and resolution', () => {
  it('sends nothing more while firing within the re-notify interval, then one reminder, then the resolution', async () => {
    const hook = await receiver();
    const p = pipeline({ type: 'webhook', url: hook.url });
    await p.step(0.5);
    for (let i = 0; i < 5; i++) await p.step(0.6, 10 * 60_000);
    expect(hook.requests).toHaveLength(1);
    await p.step(0.6, 10 * 60_000);
    await p.step(0.7, 30 * 60_000);
    await p.step(0.01, 60_000);
    await p.step(0.01, HOUR);
    const sent = hook.requests.map((r) => r.json as { status: string; repeat: boolean; instance_id: string });
    expect(sent.map((s) => [s.status, s.repeat])).toEqual([
      ['firing', false],
      ['firing', true],
      ['resolved', false],
    ]);
    expect(new Set(sent.map((s) => s.instance_id)).size).toBe(1);
  });
});

describe('retries and failures', () => {
  it('retries a receiver that fails twice with 500, with backoff, then delivers', async () => {
    const flaky = await receiver((n) => (n < 2 ? { status: 500, body: 'upstream down' } : { status: 200 }));
    const p = pipeline({ type: 'webhook', url: flaky.url });
    await p.step(0.5);
    expect((await p.deliveries())[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 500: upstream down',
      nextAttemptAt: new Date(world.clock.now().getTime() + 500),
    });
    expect(await p.retryLater(499)).toBe(0);
    expect(await p.retryLater(1)).toBe(1);
    expect((await p.deliveries())[0]).toMatchObject({
      attempts: 2,
      nextAttemptAt: new Date(world.clock.now().getTime() + 1_000),
    });
    await p.retryLater(1_000);
    const [delivery] = await p.deliveries();
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastError: 'HTTP 500: upstream down',
    });
    expect(flaky.requests).toHaveLength(3);
    // Every attempt carries the same delivery id, so a receiver can drop duplicates.
    expect(new Set(flaky.requests.map((r) => r.headers['x-llm-rules-delivery']))).toEqual(
      new Set([delivery!.id]),
    );
    expect(world.logger.lines.filter((l) => l.msg === 'alert delivery failed; will retry')).toHaveLength(2);
  });

  it('marks a channel that keeps failing as failed, with its error stored, logged and audited', async () => {
    const down = await receiver(() => ({ status: 503, body: 'maintenance' }));
    const p = pipeline({ type: 'webhook', url: down.url });
    await p.step(0.5);
    await p.retryLater(1_000);
    await p.retryLater(4_000);
    const failedAt = world.clock.now();
    // Nothing more is tried after the last attempt.
    expect(await p.retryLater(60_000)).toBe(0);
    expect(down.requests).toHaveLength(3);
    const [delivery] = await p.deliveries();
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'HTTP 503: maintenance',
      failedAt,
      nextAttemptAt: null,
    });
    expect(await world.storage.alerts.deliveries('acme', { status: 'failed' })).toHaveLength(1);
    expect(world.logger.lines.at(-1)).toMatchObject({
      level: 'error',
      msg: 'alert delivery failed for good',
    });
    const audited = (await alertAuditContexts(world.storage, 'acme')).filter(
      (c) => c.action === 'delivery_failed',
    );
    expect(audited).toEqual([
      {
        action: 'delivery_failed',
        delivery_id: delivery!.id,
        alert: 'errors',
        instance_id: delivery!.notification.instanceId,
        notification: 'firing',
        channel: 'out',
        channel_type: 'webhook',
        attempts: 3,
        error: 'HTTP 503: maintenance',
      },
    ]);
  });

  it('does not retry a refusal (404)', async () => {
    const gone = await receiver(() => ({ status: 404, body: 'no_service' }));
    const p = pipeline({ type: 'slack', url: gone.url });
    await p.step(0.5);
    expect((await p.deliveries())[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'HTTP 404: no_service',
    });
  });

  it('fails at once, sending nothing, when the channel secret is not set', async () => {
    const hook = await receiver();
    const p = pipeline({ type: 'webhook', url: hook.url, secret: '${HOOK_SECRET}' });
    await p.step(0.5);
    expect((await p.deliveries())[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'channels.out.secret: environment variable HOOK_SECRET is not set',
    });
    expect(hook.requests).toEqual([]);
  });

  it('retries an unreachable receiver', async () => {
    const closed = await receiver();
    await closed.close();
    closers.pop();
    const p = pipeline({ type: 'webhook', url: closed.url });
    await p.step(0.5);
    expect((await p.deliveries())[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it('waits as long as a 429 asks', async () => {
    const limited = await receiver(() => ({
      status: 429,
      body: 'slow down',
      headers: { 'retry-after': '30' },
    }));
    const p = pipeline({ type: 'webhook', url: limited.url });
    await p.step(0.5);
    expect((await p.deliveries())[0]).toMatchObject({
      status: 'pending',
      lastError: 'HTTP 429: slow down',
      nextAttemptAt: new Date(world.clock.now().getTime() + 30_000),
    });
  });
});
