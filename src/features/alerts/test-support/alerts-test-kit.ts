// Test helpers for alerting: a bundle around an alerts.yaml, memory storage with the tenants synced, an audit
// log over it, and a logger that keeps what it was told.
import type { AlertsConfig, PolicyConfig } from '../../../config/policy-config.ts';
import { type Clock, manualClock } from '../../../core/clock/clock.ts';
import { orgSnapshot } from '../../../storage/contract/contract-fixtures.ts';
import { createMemoryStorage } from '../../../storage/memory/memory-storage.ts';
import type { Storage } from '../../../storage/ports.ts';
import { AuditLog } from '../../audit/audit-log.ts';
import type { AlertsLogger } from '../alert-audit.ts';
import type { EvaluatedBundle } from '../alert-evaluator.ts';

export function alertsBundle(alerts: Partial<AlertsConfig>, tenants: string[] = ['acme']): EvaluatedBundle {
  const [root, ...others] = tenants;
  const content = {
    org: { tenant: { id: root, name: root } },
    tenants: others.map((id) => ({ id })),
    alerts: { alerts: [], channels: {}, ...alerts },
  } as unknown as PolicyConfig;
  return { revision: 'rev-1', content };
}

export interface LoggedLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

export function recordingLogger(): AlertsLogger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

export interface AlertsTestWorld {
  storage: Storage;
  audit: AuditLog;
  clock: Clock & { advance(ms: number): void };
  logger: ReturnType<typeof recordingLogger>;
}

export async function alertsTestWorld(tenants: string[] = ['acme']): Promise<AlertsTestWorld> {
  const storage = createMemoryStorage();
  const clock = manualClock(new Date('2026-03-02T10:00:00Z'));
  for (const t of tenants) await storage.org.sync(t, orgSnapshot(t), clock.now());
  return { storage, audit: new AuditLog(storage.audit, { clock }), clock, logger: recordingLogger() };
}

/** The `alert` audit events of a tenant, as their contexts. */
export async function alertAuditContexts(storage: Storage, tenantId: string) {
  return (await storage.audit.list(tenantId, { event: 'alert' })).map((r) => r.context);
}
