// Composition root: builds storage, services and routes, and starts listening.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './core/clock/clock.ts';
import { installAdminApi } from './features/admin/install-admin-api.ts';
import type { AlertMetricSource } from './features/alerts/alert-metric-source.ts';
import type { AlertScheduler } from './features/alerts/alert-scheduler.ts';
import { installAlerts } from './features/alerts/install-alerts.ts';
import { rollupMetricSource } from './features/analytics/rollup-metric-source.ts';
import { AuditLog, type AuditLogOptions } from './features/audit/audit-log.ts';
import { ActiveBundle } from './features/bundles/active-bundle.ts';
import { BundlesService } from './features/bundles/bundles-service.ts';
import { installConsoleAuth } from './features/console-auth/install-console-auth.ts';
import { ApprovedIncreaseCache } from './features/gateway/approved-increase-cache.ts';
import { installGateway } from './features/gateway/install-gateway.ts';
import type { UsageRecorder } from './features/gateway/metering/usage-recorder.ts';
import { openRateCounter } from './features/gateway/rate-limits/open-rate-counter.ts';
import { healthRoutes } from './features/health/health-routes.ts';
import { decideRoutes } from './features/hooks/decide-routes.ts';
import { hooksRoutes } from './features/hooks/hooks-routes.ts';
import { HooksService } from './features/hooks/hooks-service.ts';
import { PolicyCache } from './features/hooks/policy-cache.ts';
import { identityRoutes } from './features/identity/identity-routes.ts';
import { KeysService } from './features/keys/keys-service.ts';
import { MachineReports } from './features/managed-settings/machine-reports.ts';
import { managedSettingsRoutes } from './features/managed-settings/managed-settings-routes.ts';
import { ServerMetrics } from './features/metrics/server-metrics.ts';
import { rulesRoutes } from './features/rules/rules-routes.ts';
import { SessionRules } from './features/rules/session-rules.ts';
import { installSignIn } from './features/sign-in/install-sign-in.ts';
import { loadMasterKey } from './features/sign-in/master-key.ts';
import { spendLimitRoutes } from './features/spend-limits/spend-limit-routes.ts';
import { SpendLimits } from './features/spend-limits/spend-limits.ts';
import { otlpRoutes } from './features/telemetry/otlp-routes.ts';
import { TelemetryService } from './features/telemetry/telemetry-service.ts';
import { buildApp } from './http/build-app.ts';
import { createLogger } from './http/create-logger.ts';
import type { ServerOptions } from './http/server-options.ts';
import { createStorage } from './storage/create-storage.ts';
import type { Storage } from './storage/ports.ts';
import { VERSION } from './version.ts';

export interface ServerHandle {
  url: string;
  app: FastifyInstance;
  storage: Storage;
  bundle: ActiveBundle;
  keys: KeysService;
  audit: AuditLog;
  /** Gateway usage records waiting to be written. */
  usage: UsageRecorder;
  /** Managed settings served and sessions' reported checksums waiting to be written. */
  machineReports: MachineReports;
  /** Alert evaluation and notification delivery (docs/alerts.md). */
  alerts: AlertScheduler;
  logger: Logger;
  /** Stops accepting connections, lets in-flight requests finish, then closes storage. */
  close(): Promise<void>;
}

export interface ServerDeps {
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  storage?: Storage;
  clock?: Clock;
  /** Tests add routes (e.g. a slow one to prove graceful shutdown). */
  extraRoutes?: (app: FastifyInstance) => void;
  /** Alert metrics from the analytics rollups (context_usage, error_rate, ...); daily_cost is built in. */
  alertMetrics?: AlertMetricSource;
}

const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
/**
 * A verified key is trusted for this long without a lookup: the hook hot path then skips two
 * queries. Revocations through this process apply at once; through another, within this time.
 */
const KEY_CACHE_TTL_MS = 5_000;

export async function startServer(options: ServerOptions, deps: ServerDeps = {}): Promise<ServerHandle> {
  const logger = deps.logger ?? createLogger(options.logLevel);
  const clock = deps.clock ?? systemClock;
  const storage =
    deps.storage ??
    (await createStorage({
      dataDir: options.dataDir,
      databaseUrl: options.databaseUrl,
      logger,
      auditWriter: 'thread',
    }));
  try {
    const applied = await storage.migrate();
    if (applied.length > 0) logger.info({ migrations: applied }, 'storage migrated');
    await applyConfigOnStart(options, storage, clock, deps.env ?? {}, logger);

    const bundle = new ActiveBundle(storage, logger);
    await bundle.start();
    const limits = bundle.current()?.content.config.limits;

    const app = buildApp({
      logger,
      bodyLimit: limits?.max_file_size ?? DEFAULT_BODY_LIMIT,
      ...(options.tlsCert && options.tlsKey
        ? { https: { cert: await readFile(options.tlsCert), key: await readFile(options.tlsKey) } }
        : {}),
    });
    const audit = new AuditLog(storage.audit, { clock, ...auditBatching(storage.dialect) });
    // One registry per server, counted into by the hooks and the gateway (docs/metrics.md).
    const metrics = options.metrics ? new ServerMetrics(VERSION) : undefined;
    const keys = new KeysService(storage, clock, logger, { cacheTtlMs: KEY_CACHE_TTL_MS, audit });
    // API keys, and the access tokens of developers signed in with Claude Code's /login.
    // Storage handed in (tests) has no data directory of ours to keep a key file in: a key for this process.
    const master = await loadMasterKey({
      configured: options.masterKey,
      dialect: deps.storage ? 'memory' : storage.dialect,
      dataDir: storage.dialect === 'sqlite' ? options.dataDir : undefined,
    });
    const signIn = installSignIn(app, {
      storage,
      bundle,
      keys,
      master,
      env: deps.env ?? {},
      publicUrl: options.publicUrl,
      tls: Boolean(options.tlsCert),
      clock,
    });
    const { credentials } = signIn;
    const policies = new PolicyCache(bundle);
    const spendLimits = new SpendLimits(storage.spendLimits, clock);
    const hooks = new HooksService({
      credentials: signIn.hookCallers,
      rules: new SessionRules(clock),
      bundle,
      policies,
      sessions: storage.sessions,
      audit,
      clock,
      decisions: metrics?.hooks,
    });
    identityRoutes(app, { credentials });
    // People in the console: OIDC (or SAML) sign-in, and the break-glass admin when configured.
    const consoleAuth = installConsoleAuth(app, {
      storage,
      bundle,
      audit,
      master,
      signIn,
      breakGlassHash: options.breakGlassHash,
      publicUrl: options.publicUrl,
      tls: Boolean(options.tlsCert),
      clock,
      env: deps.env ?? {},
    });
    installAdminApi(app, {
      credentials,
      browserSessions: consoleAuth.browserSessions,
      storage,
      keys,
      audit,
      bundle,
      policies,
      clock,
      env: deps.env ?? {},
    });
    // Anthropic's Admin API shape for users' spend limits, enforced by the gateway beside the budgets.
    spendLimitRoutes(app, {
      credentials,
      browserSessions: consoleAuth.browserSessions,
      bundle,
      limits: spendLimits,
      org: storage.org,
      signIn: storage.signIn,
      budgetStore: storage.budgets,
      usageStore: storage.usage,
      approvals: new ApprovedIncreaseCache(storage.budgetIncreases, logger),
      audit,
      clock,
    });
    const machineReports = new MachineReports(storage.machines, logger);
    managedSettingsRoutes(app, {
      onServed: (served) => machineReports.served(served),
      credentials,
      bundle,
      hookCredentials: signIn.hookCredentials,
      publicUrl: options.publicUrl,
      tls: Boolean(options.tlsCert),
    });
    hooksRoutes(app, { hooks, publicUrl: options.publicUrl, tls: Boolean(options.tlsCert) });
    rulesRoutes(app, { credentials: signIn.hookCallers, bundle });
    otlpRoutes(app, {
      telemetry: new TelemetryService({
        credentials: signIn.hookCallers,
        store: storage.telemetry,
        now: () => clock.now(),
      }),
    });
    decideRoutes(app, { hooks });
    const gateway = installGateway(app, {
      credentials,
      machineReports,
      bundle,
      usageStore: storage.usage,
      budgetStore: storage.budgets,
      budgetIncreases: storage.budgetIncreases,
      spendLimits,
      audit,
      env: deps.env ?? {},
      upstreamUrl: options.upstreamUrl,
      rateCounter: await openRateCounter(options.redisUrl),
      sessions: storage.sessions,
      logger,
      clock,
      metrics: metrics?.gateway,
    });
    healthRoutes(app, { storage, bundle, version: VERSION, upstreams: gateway.health });
    metrics?.install(app, {
      token: options.metricsToken,
      sources: { audit, usage: gateway.usage, budgets: { bundle, budgets: storage.budgets, clock, logger } },
    });
    deps.extraRoutes?.(app);

    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const scheme = options.tlsCert ? 'https' : 'http';
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    const url = `${scheme}://${host}:${port}`;
    logger.info(
      { url, storage: storage.dialect, bundle: bundle.current()?.revision ?? null },
      'llm-rules listening',
    );
    // Alerting starts once the server is up, and stops before the audit log and storage close.
    const alerts = installAlerts({
      storage,
      bundle,
      audit,
      env: deps.env ?? {},
      clock,
      logger,
      // Tests may set values by hand; otherwise the rollups answer (daily_cost falls back to usage records).
      metrics: deps.alertMetrics ?? rollupMetricSource(storage.telemetry, () => bundle.current()?.content),
    });

    let closing: Promise<void> | undefined;
    return {
      url,
      app,
      storage,
      bundle,
      keys,
      audit,
      usage: gateway.usage,
      machineReports,
      alerts,
      logger,
      close: () => {
        closing ??= (async () => {
          bundle.stop();
          await app.close();
          // Requests have finished; whatever they recorded is committed before storage closes.
          await gateway.close();
          await machineReports.flush();
          await alerts.stop();
          await audit.close();
          await storage.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function applyConfigOnStart(
  options: ServerOptions,
  storage: Storage,
  clock: Clock,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): Promise<void> {
  if (!options.configDir || options.applyConfigOnStart === 'never') return;
  if (options.applyConfigOnStart === 'if-none' && (await storage.bundles.activeRevision())) return;
  const result = await new BundlesService(storage, clock).apply(
    options.configDir,
    env,
    `serve --config ${options.configDir}`,
  );
  logger.info(
    { revision: result.revision, changed: result.changed, config: options.configDir },
    'config applied at start',
  );
}

/**
 * SQLite applies appends in call order (one connection, or the writer thread), so a second batch is handed
 * over while the first commits, and batches stay small so the writer starts committing before the event
 * loop has read every waiting request (bench/README.md). PostgreSQL's pool could reorder batches: one at a time.
 */
function auditBatching(dialect: Storage['dialect']): AuditLogOptions {
  return dialect === 'postgres' ? {} : { maxInFlight: 2, maxBatch: 16 };
}
