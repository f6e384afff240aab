// Wires the LLM gateway into the app: upstream pools, the usage recorder, the proxy and its routes.

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { formatBudgetScope } from '../../config/schema/budget-scope-schema.ts';
import type { Clock } from '../../core/clock/clock.ts';
import type { BudgetIncreaseStore } from '../../storage/budget-increase-port.ts';
import type { BudgetStore } from '../../storage/budget-port.ts';
import type { SessionStore } from '../../storage/session-port.ts';
import type { UsageStore } from '../../storage/usage-port.ts';
import { auditWanted } from '../audit/audit-wanted.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import { tenantConfig } from '../bundles/tenant-config.ts';
import type { AuditSink } from '../hooks/hook-audit.ts';
import type { CredentialAuthenticator } from '../keys/keys-service.ts';
import type { MachineReports } from '../managed-settings/machine-reports.ts';
import type { GatewayMetricsSink } from '../metrics/gateway-metrics.ts';
import type { SpendLimits } from '../spend-limits/spend-limits.ts';
import { ApprovedIncreaseCache } from './approved-increase-cache.ts';
import { batchedBudgetStore } from './batched-budget-store.ts';
import { BudgetAllotments } from './budget-allotments.ts';
import { BudgetGuard, type ThresholdEvent } from './budget-guard.ts';
import { GatewayProxy } from './gateway-proxy.ts';
import { gatewayRoutes } from './gateway-routes.ts';
import { UsageRecorder } from './metering/usage-recorder.ts';
import type { RateCounter } from './rate-limits/rate-counter.ts';
import { RateLimiter } from './rate-limits/rate-limiter.ts';
import { SessionQuota, type SessionRefusal } from './session-quota.ts';
import { UpstreamRegistry } from './upstream-registry.ts';

/** The Messages API's own request limit, for a server started before any bundle is active. */
const DEFAULT_MAX_REQUEST_BYTES = 33_554_432;

export interface GatewayWiring {
  credentials: CredentialAuthenticator;
  machineReports?: MachineReports;
  bundle: ActiveBundle;
  usageStore: UsageStore;
  budgetStore: BudgetStore;
  /** Approved increases past budgets' soft caps. */
  budgetIncreases: Pick<BudgetIncreaseStore, 'approved'>;
  /** Where budget threshold events are recorded. */
  audit: AuditSink;
  /** Users' spend limits set through the admin API, enforced beside the config's budgets. */
  spendLimits: SpendLimits;
  env: Readonly<Record<string, string | undefined>>;
  upstreamUrl: string | undefined;
  /** Where Claude Code sessions are counted (limits.max_sessions_per_day), as the hooks count them. */
  sessions: SessionStore;
  /** Rate-limit counters: in Redis for a fleet, else in process memory (openRateCounter). */
  rateCounter: RateCounter;
  logger: Logger;
  clock: Clock;
  /** Counts requests, tokens, cost and upstream errors (the Prometheus metrics); none when unset. */
  metrics?: GatewayMetricsSink | undefined;
}

export interface InstalledGateway {
  usage: UsageRecorder;
  /** Each upstream of the active bundle and the state of its circuit breaker. */
  health(): unknown[];
  /** After the app has stopped taking requests: writes pending usage, closes upstream connections. */
  close(): Promise<void>;
}

export function installGateway(app: FastifyInstance, wiring: GatewayWiring): InstalledGateway {
  const upstreams = new UpstreamRegistry({ env: wiring.env, upstreamUrl: wiring.upstreamUrl });
  const { metrics } = wiring;
  const usage = new UsageRecorder(
    wiring.usageStore,
    wiring.logger,
    metrics ? { observe: (record) => metrics.usage(record) } : {},
  );
  const counter = wiring.rateCounter;
  const approvals = new ApprovedIncreaseCache(wiring.budgetIncreases, wiring.logger);
  // Each process admits against slices of the budgets it holds in the store, so most requests do no
  // budget I/O; the slices' reservations and the spend written behind are group-committed (ADR 0009).
  const allotments = new BudgetAllotments(batchedBudgetStore(wiring.budgetStore), wiring.logger);
  const budgets = new BudgetGuard(
    allotments,
    wiring.logger,
    (event) => recordThreshold(wiring.audit, event),
    approvals,
  );
  allotments.onFlushed = (tenantId, counter, spentMicro) => {
    void budgets.spentChanged(tenantId, counter, spentMicro);
  };
  const bodyLimit =
    wiring.bundle.current()?.content.config.gateway.max_request_bytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const proxy = new GatewayProxy({
    credentials: wiring.credentials,
    bundle: wiring.bundle,
    upstreams,
    usage,
    budgets,
    approvals,
    spendLimits: wiring.spendLimits,
    rateLimits: new RateLimiter(counter),
    budgetStore: allotments,
    usageStore: wiring.usageStore,
    logger: wiring.logger,
    clock: wiring.clock,
    bodyLimit,
    sessionQuota: new SessionQuota(wiring.sessions, wiring.clock, (refusal) =>
      recordSessionRefusal(wiring, refusal),
    ),
    ...(wiring.machineReports ? { machineReports: wiring.machineReports } : {}),
    ...(metrics ? { onUpstreamError: (upstream, kind) => metrics.upstreamError(upstream, kind) } : {}),
  });
  gatewayRoutes(app, { proxy, bodyLimit });
  return {
    usage,
    health: () => {
      // Opens the active bundle's upstreams if no request has yet, so /readyz lists them from the start.
      const loaded = wiring.bundle.current();
      if (loaded) upstreams.upstreams(loaded.content.config.gateway);
      return upstreams.health(Date.now());
    },
    async close() {
      try {
        await allotments.close();
      } catch (error) {
        wiring.logger.error({ err: error }, 'budget spend was lost at shutdown');
      }
      try {
        await usage.flush();
      } catch (error) {
        wiring.logger.error({ err: error, pending: usage.pending }, 'usage records were lost at shutdown');
      }
      await upstreams.close();
      await counter.close();
    },
  };
}

/**
 * A session the gateway refused, as the SessionStart hook records its own (a `session` event, phase
 * `refused`), if the tenant's `audit.events` lists sessions. A failed write is logged: the refusal stands.
 */
async function recordSessionRefusal(wiring: GatewayWiring, refusal: SessionRefusal): Promise<void> {
  const config = wiring.bundle.current();
  const tenant = config && tenantConfig(config.content, refusal.tenantId);
  if (!tenant || !auditWanted(tenant, 'session')) return;
  try {
    await wiring.audit.record(refusal.tenantId, {
      event: 'session',
      user: refusal.user,
      sessionId: refusal.sessionId,
      bundleRevision: config.revision,
      context: {
        phase: 'refused',
        reason: refusal.reason,
        started_today: refusal.startedBefore + 1,
        by: 'gateway',
      },
    });
  } catch (error) {
    wiring.logger.error({ err: error }, 'could not record a refused session in the audit trail');
  }
}

/** A budget passing a threshold is an audit event (`budget`), which alert rules will turn into notifications. */
async function recordThreshold(audit: AuditSink, event: ThresholdEvent): Promise<void> {
  const { budget } = event;
  await audit.record(event.tenantId, {
    event: 'budget',
    user: event.user || null,
    context: {
      action: 'threshold_passed',
      budget: budget.budget.id,
      counter: budget.key,
      scope: formatBudgetScope(budget.budget.scope),
      mode: budget.budget.mode,
      period: budget.period,
      period_start: budget.periodStart.toISOString(),
      resets_at: budget.resetsAt.toISOString(),
      threshold: event.threshold,
      spent_micro: event.spentMicro,
      limit_micro: budget.hardLimitMicro,
      ...(budget.softLimitMicro === null
        ? {}
        : { soft_limit_micro: budget.softLimitMicro, approved_micro: budget.approvedMicro }),
    },
  });
}
