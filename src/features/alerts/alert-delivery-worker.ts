// Sends what the outbox holds: each due delivery is leased (so one instance sends it), sent in its channel's
// format, then marked delivered, retried later with backoff and jitter, or — after the last attempt or a
// refusal retrying cannot change — failed, with its error stored, logged and audited.
import type { EnvMap } from '../../config/env-interpolation.ts';
import type { AlertsConfig } from '../../config/policy-config.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from '../../core/alerts/retry-backoff.ts';
import type { Clock } from '../../core/clock/clock.ts';
import type { AlertDeliveryRecord, AlertStore } from '../../storage/alert-port.ts';
import { type AlertAudit, type AlertsLogger, recordDeliveryFailure } from './alert-audit.ts';
import { resolveChannel } from './alert-channels.ts';
import { type NotificationSender, sendNotification } from './channels/send-notification.ts';
import type { SendResult } from './channels/send-result.ts';

/** Longer than any one attempt can take (HTTP and SMTP time out well before). */
const LEASE_MS = 60_000;
const BATCH = 20;

export interface AlertDeliveryWorkerDeps {
  store: AlertStore;
  /** The active bundle's alerts.yaml, read at send time so a fixed channel applies to retries. */
  config: () => AlertsConfig | undefined;
  env: EnvMap;
  audit: AlertAudit;
  logger: AlertsLogger;
  clock: Clock;
  retry?: RetryPolicy;
  random?: () => number;
  send?: NotificationSender;
}

export class AlertDeliveryWorker {
  readonly #deps: AlertDeliveryWorkerDeps;
  readonly #retry: RetryPolicy;

  constructor(deps: AlertDeliveryWorkerDeps) {
    this.#deps = deps;
    this.#retry = deps.retry ?? DEFAULT_RETRY_POLICY;
  }

  /** Attempts every delivery due now (in batches); returns how many it attempted. */
  async runDue(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const due = await this.#deps.store.dueDeliveries(this.#deps.clock.now(), BATCH);
      const results = await Promise.all(due.map((d) => this.#attempt(d)));
      const sent = results.filter(Boolean).length;
      attempted += sent;
      if (due.length < BATCH || sent === 0) return attempted;
    }
  }

  async #attempt(delivery: AlertDeliveryRecord): Promise<boolean> {
    const { store, clock } = this.#deps;
    const { tenantId, id } = delivery;
    const started = clock.now();
    if (!(await store.claimDelivery(tenantId, id, started, new Date(started.getTime() + LEASE_MS))))
      return false;
    const resolved = resolveChannel(this.#deps.config(), delivery.channel, this.#deps.env);
    let result: SendResult;
    if (!resolved.ok) {
      result = { ok: false, retryable: false, error: resolved.error };
    } else {
      const send = this.#deps.send ?? sendNotification;
      try {
        result = await send(resolved.channel, delivery.notification, { deliveryId: id, now: started });
      } catch (error) {
        result = {
          ok: false,
          retryable: true,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    }
    const at = clock.now();
    if (result.ok) {
      await store.finishAttempt(tenantId, id, { result: 'delivered', at });
      return true;
    }
    const attempts = delivery.attempts + 1;
    const delay = result.retryable
      ? retryDelayMs(attempts, this.#retry, this.#deps.random ?? Math.random)
      : undefined;
    const context = {
      tenant: tenantId,
      delivery: id,
      channel: delivery.channel,
      attempts,
      error: result.error,
    };
    if (delay !== undefined) {
      const wait = Math.max(delay, result.retryAfterMs ?? 0);
      await store.finishAttempt(tenantId, id, {
        result: 'retry',
        at,
        error: result.error,
        nextAttemptAt: new Date(at.getTime() + wait),
      });
      this.#deps.logger.warn({ ...context, retry_in_ms: wait }, 'alert delivery failed; will retry');
      return true;
    }
    await store.finishAttempt(tenantId, id, { result: 'failed', at, error: result.error });
    this.#deps.logger.error(context, 'alert delivery failed for good');
    await recordDeliveryFailure(this.#deps, tenantId, {
      deliveryId: id,
      alert: delivery.notification.alert,
      instanceId: delivery.notification.instanceId,
      status: delivery.notification.status,
      channel: delivery.channel,
      channelType: resolved.ok ? resolved.channel.type : null,
      attempts,
      error: result.error,
      at,
    });
    return true;
  }
}
