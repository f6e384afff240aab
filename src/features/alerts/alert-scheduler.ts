// Runs alerting in a server: every `evaluation_interval` the instance holding the evaluator lease evaluates the
// rules and takes the budget events (so several instances over one PostgreSQL evaluate once); every instance
// sends the due deliveries each second, each delivery leased to one of them.
import { randomBytes } from 'node:crypto';
import { DEFAULT_EVALUATION_INTERVAL, durationMs } from '../../core/alerts/alert-timing.ts';
import type { Clock } from '../../core/clock/clock.ts';
import type { AlertStore } from '../../storage/alert-port.ts';
import type { AlertsLogger } from './alert-audit.ts';
import type { AlertDeliveryWorker } from './alert-delivery-worker.ts';
import type { AlertEvaluator, EvaluatedBundle, EvaluationReport } from './alert-evaluator.ts';
import type { BudgetAlertFeed } from './budget-alert-feed.ts';

export const EVALUATOR_LEASE = 'alerts-evaluator';
const DELIVERY_POLL_MS = 1_000;

export interface AlertSchedulerDeps {
  store: AlertStore;
  evaluator: AlertEvaluator;
  feed: BudgetAlertFeed;
  worker: AlertDeliveryWorker;
  bundle: () => EvaluatedBundle | undefined;
  clock: Clock;
  logger: AlertsLogger;
  /** This instance's name on the lease; random by default. */
  holder?: string;
  deliveryPollMs?: number;
}

export interface TickReport extends EvaluationReport {
  budgetNotifications: number;
}

export class AlertScheduler {
  readonly #deps: AlertSchedulerDeps;
  readonly #holder: string;
  #evaluationTimer: NodeJS.Timeout | undefined;
  #deliveryTimer: NodeJS.Timeout | undefined;
  #running = new Set<Promise<unknown>>();
  #stopped = false;

  constructor(deps: AlertSchedulerDeps) {
    this.#deps = deps;
    this.#holder = deps.holder ?? `instance-${randomBytes(8).toString('hex')}`;
  }

  start(): void {
    this.#scheduleEvaluation();
    this.#scheduleDelivery();
  }

  /** The current bundle's evaluation interval. */
  intervalMs(): number {
    const configured = this.#deps.bundle()?.content.alerts.evaluation_interval;
    return durationMs(configured ?? DEFAULT_EVALUATION_INTERVAL);
  }

  /** One evaluation, if this instance holds (or takes) the lease; undefined when another instance does. */
  async tick(): Promise<TickReport | undefined> {
    const bundle = this.#deps.bundle();
    if (!bundle) return undefined;
    const now = this.#deps.clock.now();
    // Held past two intervals, so one slow evaluation does not hand the lease over; a dead holder's lapses.
    const until = new Date(now.getTime() + 2 * this.intervalMs() + 10_000);
    if (!(await this.#deps.store.acquireLease(EVALUATOR_LEASE, this.#holder, now, until))) return undefined;
    const report = await this.#deps.evaluator.evaluate(bundle, now);
    const budgetNotifications = await this.#deps.feed.poll(bundle, now);
    return { ...report, budgetNotifications };
  }

  /** Sends what is due now. */
  deliver(): Promise<number> {
    return this.#deps.worker.runDue();
  }

  /** Stops the timers, lets a running evaluation or delivery finish, and gives the lease up. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#evaluationTimer);
    clearTimeout(this.#deliveryTimer);
    await Promise.allSettled([...this.#running]);
    await this.#deps.store.releaseLease(EVALUATOR_LEASE, this.#holder).catch(() => {});
  }

  #scheduleEvaluation(): void {
    if (this.#stopped) return;
    this.#evaluationTimer = setTimeout(() => {
      void this.#track(this.tick(), 'alert evaluation failed').then((report) => {
        if (report && report.notifications + report.budgetNotifications > 0) void this.#runDelivery();
        this.#scheduleEvaluation();
      });
    }, this.intervalMs());
    this.#evaluationTimer.unref();
  }

  #scheduleDelivery(): void {
    if (this.#stopped) return;
    this.#deliveryTimer = setTimeout(() => {
      void this.#runDelivery().then(() => this.#scheduleDelivery());
    }, this.#deps.deliveryPollMs ?? DELIVERY_POLL_MS);
    this.#deliveryTimer.unref();
  }

  #runDelivery(): Promise<number | undefined> {
    return this.#track(this.deliver(), 'alert delivery run failed');
  }

  /** Keeps the work visible to `stop()`; logs a failure instead of rejecting (the next run tries again). */
  #track<T>(work: Promise<T>, message: string): Promise<T | undefined> {
    const tracked = work.catch((error: unknown) => {
      if (!this.#stopped) this.#deps.logger.error({ err: error }, message);
      return undefined;
    });
    this.#running.add(tracked);
    void tracked.finally(() => this.#running.delete(tracked));
    return tracked;
  }
}
