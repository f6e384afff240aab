// Alerting's audit trail: an `alert` event for every state transition and for every delivery that failed for
// good. The transition is already stored when it is audited, so a failing audit write is logged, not retried.
import type { JsonValue } from '../../core/bundles/canonical-json.ts';
import type { AuditLog } from '../audit/audit-log.ts';

export type AlertAudit = Pick<AuditLog, 'record'>;

export interface AlertsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditedTransition {
  source: 'rule' | 'budget';
  alert: string;
  scope: string;
  severity: string;
  instanceId: string | null;
  from: string;
  to: string;
  value: number | null;
  condition: string | null;
  channel: string | null;
  at: Date;
}

export async function recordTransition(
  deps: { audit: AlertAudit; logger: AlertsLogger },
  tenantId: string,
  revision: string | null,
  t: AuditedTransition,
): Promise<void> {
  await record(deps, tenantId, revision, t.at, {
    action: 'transition',
    source: t.source,
    alert: t.alert,
    scope: t.scope,
    severity: t.severity,
    instance_id: t.instanceId,
    from: t.from,
    to: t.to,
    value: t.value,
    condition: t.condition,
    channel: t.channel,
  });
}

export interface AuditedDeliveryFailure {
  deliveryId: string;
  alert: string;
  instanceId: string;
  status: string;
  channel: string;
  channelType: string | null;
  attempts: number;
  error: string;
  at: Date;
}

export async function recordDeliveryFailure(
  deps: { audit: AlertAudit; logger: AlertsLogger },
  tenantId: string,
  f: AuditedDeliveryFailure,
): Promise<void> {
  await record(deps, tenantId, null, f.at, {
    action: 'delivery_failed',
    delivery_id: f.deliveryId,
    alert: f.alert,
    instance_id: f.instanceId,
    notification: f.status,
    channel: f.channel,
    channel_type: f.channelType,
    attempts: f.attempts,
    error: f.error,
  });
}

async function record(
  deps: { audit: AlertAudit; logger: AlertsLogger },
  tenantId: string,
  revision: string | null,
  at: Date,
  context: { [key: string]: JsonValue },
): Promise<void> {
  try {
    await deps.audit.record(tenantId, { event: 'alert', timestamp: at, bundleRevision: revision, context });
  } catch (error) {
    deps.logger.error({ err: error, tenant: tenantId, ...context }, 'alert audit record was not written');
  }
}
