// The server's Prometheus registry: one per server (never prom-client's global one, so several servers
// can run in one process), made in the composition root and handed to the features that count. Node's
// process metrics are the process's: collected once into a registry of their own, scraped with each.
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AuditLogStats } from '../audit/audit-log.ts';
import { type BudgetUtilizationSources, budgetUtilizationGauge } from './budget-utilization.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import { HookMetrics } from './hook-metrics.ts';
import { HttpMetrics, installHttpMetrics } from './http-metrics.ts';
import { metricsRoutes } from './metrics-routes.ts';

/** What the gauges read at scrape time: queues the services keep, and the budgets. */
export interface MetricsSources {
  audit: { readonly pending: number; readonly stats: AuditLogStats };
  usage: { readonly pending: number };
  budgets: BudgetUtilizationSources;
}

/**
 * prom-client's gauges that promtool's lint rejects (a `_total` suffix on a gauge); the same numbers are
 * in `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources`, by type.
 */
const LINT_FAILING = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

let processRegistry: Registry | undefined;

/** Made on first use: each collectDefaultMetrics call starts its own event-loop and GC observers. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    for (const name of LINT_FAILING) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly http: HttpMetrics;
  readonly hooks: HookMetrics;
  readonly gateway: GatewayMetrics;

  constructor(version: string) {
    const info = new Gauge({
      name: 'llm_rules_build_info',
      help: 'Always 1; the version of LLM-RULES running.',
      labelNames: ['version'],
      registers: [this.registry],
    });
    info.set({ version }, 1);
    this.http = new HttpMetrics(this.registry);
    this.hooks = new HookMetrics(this.registry);
    this.gateway = new GatewayMetrics(this.registry);
  }

  /** Serves `GET /metrics`, observes every response, and reads the gauges from `sources` at each scrape. */
  install(app: FastifyInstance, options: { token?: string | undefined; sources: MetricsSources }): void {
    const { registry } = this;
    const { audit, usage, budgets } = options.sources;
    installHttpMetrics(app, this.http);
    new Gauge({
      name: 'llm_rules_audit_queue_depth',
      help: 'Audit records recorded and not yet committed (waiting for a batch, or being written).',
      registers: [registry],
      collect() {
        this.set(audit.pending);
      },
    });
    new Counter({
      name: 'llm_rules_audit_failed_batches_total',
      help: 'Audit append transactions that failed (each of their callers was told).',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(audit.stats.failedBatches);
      },
    });
    new Gauge({
      name: 'llm_rules_gateway_usage_queue_depth',
      help: 'Gateway usage records waiting to be written.',
      registers: [registry],
      collect() {
        this.set(usage.pending);
      },
    });
    budgetUtilizationGauge(registry, budgets);
    metricsRoutes(app, { scrape: () => this.scrape(), token: options.token });
  }

  /** The text exposition of this server's metrics and the process's. */
  scrape(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }
}
