// Wires alerting into a server: metric sources, the evaluator and budget feed, the delivery worker, and the
// scheduler that runs them; the server stops it before storage closes.
import type { EnvMap } from '../../config/env-interpolation.ts';
import type { Clock } from '../../core/clock/clock.ts';
import type { Storage } from '../../storage/ports.ts';
import type { AlertAudit, AlertsLogger } from './alert-audit.ts';
import { AlertDeliveryWorker } from './alert-delivery-worker.ts';
import { AlertEvaluator, type EvaluatedBundle } from './alert-evaluator.ts';
import { type AlertMetricSource, firstMetricSource } from './alert-metric-source.ts';
import { AlertScheduler } from './alert-scheduler.ts';
import { BudgetAlertFeed } from './budget-alert-feed.ts';
import { usageMetricSource } from './usage-metric-source.ts';

export interface AlertsWiring {
  storage: Pick<Storage, 'alerts' | 'audit' | 'usage'>;
  bundle: { current(): EvaluatedBundle | undefined };
  audit: AlertAudit;
  env: EnvMap;
  clock: Clock;
  logger: AlertsLogger;
  /** The analytics rollups' metrics; asked first, before daily_cost from the usage records. */
  metrics?: AlertMetricSource;
  /** Tests: this instance's name on the evaluator lease, and how often due deliveries are polled. */
  holder?: string;
  deliveryPollMs?: number;
}

/** Builds the scheduler and starts it. */
export function installAlerts(wiring: AlertsWiring): AlertScheduler {
  const scheduler = createAlertScheduler(wiring);
  scheduler.start();
  return scheduler;
}

export function createAlertScheduler(wiring: AlertsWiring): AlertScheduler {
  const { storage, audit, logger, clock } = wiring;
  const store = storage.alerts;
  const usage = usageMetricSource(storage.usage);
  const metrics = wiring.metrics ? firstMetricSource(wiring.metrics, usage) : usage;
  return new AlertScheduler({
    store,
    evaluator: new AlertEvaluator({ store, metrics, audit, logger }),
    feed: new BudgetAlertFeed({ store, auditStore: storage.audit, audit, logger, startedAt: clock.now() }),
    worker: new AlertDeliveryWorker({
      store,
      config: () => wiring.bundle.current()?.content.alerts,
      env: wiring.env,
      audit,
      logger,
      clock,
    }),
    bundle: () => wiring.bundle.current(),
    clock,
    logger,
    ...(wiring.holder ? { holder: wiring.holder } : {}),
    ...(wiring.deliveryPollMs ? { deliveryPollMs: wiring.deliveryPollMs } : {}),
  });
}
