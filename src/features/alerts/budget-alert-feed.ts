// Turns the gateway's budget threshold events (`budget` audit records with `action: threshold_passed`, emitted
// once per threshold per period across every instance) into notifications to `budget_alerts.action`. It reads
// each tenant's audit chain from a stored position, so every event is taken once, even across restarts.
import type { PolicyConfig } from '../../config/policy-config.ts';
import {
  type AlertSeverity,
  type BudgetThreshold,
  budgetNotification,
} from '../../core/alerts/alert-notification.ts';
import type { AuditRecord } from '../../core/audit-chain/audit-record.ts';
import type { AlertStore, AlertTransitionWrite, NewAlertDelivery } from '../../storage/alert-port.ts';
import type { AuditStore, TenantId } from '../../storage/ports.ts';
import { type AlertAudit, type AlertsLogger, recordTransition } from './alert-audit.ts';
import { bundleTenants, type EvaluatedBundle } from './alert-evaluator.ts';

export const BUDGET_CURSOR = 'budget_events';
const BATCH = 200;
const MICRO = 1_000_000;

export interface BudgetAlertFeedDeps {
  store: AlertStore;
  auditStore: Pick<AuditStore, 'head' | 'list'>;
  audit: AlertAudit;
  logger: AlertsLogger;
  /** A tenant never read before is read from here on: events from before alerting started are not sent. */
  startedAt: Date;
}

export class BudgetAlertFeed {
  constructor(private readonly deps: BudgetAlertFeedDeps) {}

  /** Takes every tenant's new threshold events; returns how many notifications it queued. */
  async poll(bundle: EvaluatedBundle, now: Date): Promise<number> {
    let queued = 0;
    for (const tenantId of bundleTenants(bundle.content))
      queued += await this.#pollTenant(bundle, tenantId, now);
    return queued;
  }

  async #pollTenant(bundle: EvaluatedBundle, tenantId: TenantId, now: Date): Promise<number> {
    const { store, auditStore } = this.deps;
    const from = await store.cursor(tenantId, BUDGET_CURSOR);
    const head = (await auditStore.head(tenantId))?.seq ?? 0;
    if (from !== undefined && from >= head) return 0;
    const settings = bundle.content.alerts.budget_alerts;
    // Without budget_alerts the position still moves on, so turning them on later does not replay the past.
    const records = settings
      ? await auditStore.list(tenantId, {
          event: 'budget',
          limit: BATCH,
          ...(from === undefined ? { since: this.deps.startedAt } : { afterSeq: from }),
        })
      : [];
    const to = records.length === BATCH ? records.at(-1)!.seq : Math.max(head, records.at(-1)?.seq ?? 0);
    const events = records.flatMap((record) => {
      const event = thresholdOf(record);
      return event ? [{ record, event }] : [];
    });
    const transitions: AlertTransitionWrite[] = [];
    const deliveries: NewAlertDelivery[] = [];
    for (const { record, event } of events) {
      const severity: AlertSeverity = settings?.severity ?? (event.threshold >= 100 ? 'critical' : 'warning');
      const notification = budgetNotification({ tenantId, event, severity, at: record.timestamp });
      transitions.push({
        alert: notification.alert,
        scope: event.scope,
        instanceId: notification.instanceId,
        from: 'inactive',
        to: 'firing',
        severity,
        value: event.spentUsd,
        at: record.timestamp,
      });
      if (settings && channelExists(bundle.content, settings.action)) {
        deliveries.push({ id: `budget-${record.seq}`, channel: settings.action, notification, at: now });
      }
    }
    const committed = await store.commit({
      tenantId,
      transitions,
      deliveries,
      cursor: { name: BUDGET_CURSOR, from, to },
    });
    if (!committed) return 0;
    for (const t of transitions) {
      await recordTransition(this.deps, tenantId, bundle.revision, {
        ...t,
        source: 'budget',
        condition: null,
        channel: settings?.action ?? null,
      });
    }
    return deliveries.length;
  }
}

function channelExists(content: PolicyConfig, name: string): boolean {
  return content.alerts.channels[name] !== undefined;
}

/** The threshold event an audit record carries, if it is one (the gateway's recordThreshold). */
export function thresholdOf(record: AuditRecord): BudgetThreshold | undefined {
  const c = record.context;
  if (record.event !== 'budget' || c.action !== 'threshold_passed') return undefined;
  const text = (key: string) => (typeof c[key] === 'string' ? (c[key] as string) : undefined);
  const number = (key: string) => (typeof c[key] === 'number' ? (c[key] as number) : undefined);
  const [budget, counter, threshold, spent, limit] = [
    text('budget'),
    text('counter'),
    number('threshold'),
    number('spent_micro'),
    number('limit_micro'),
  ];
  if (!budget || !counter || threshold === undefined || spent === undefined || limit === undefined)
    return undefined;
  const mode = text('mode') ?? 'pooled';
  const scope = text('scope') ?? 'tenant';
  return {
    budget,
    counter,
    scope,
    mode,
    period: text('period') ?? '',
    periodStart: text('period_start') ?? '',
    resetsAt: text('resets_at') ?? '',
    threshold,
    spentUsd: spent / MICRO,
    limitUsd: limit / MICRO,
    // A pooled budget's event (a group's included: its members share it) names no one, though someone's
    // request passed the threshold; only a seat belongs to its user, and a key budget to the holder of its
    // key (only their requests count against it).
    user: mode === 'per_seat' || scope.startsWith('key:') ? record.user : null,
  };
}
