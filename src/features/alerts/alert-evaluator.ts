// Evaluates the active bundle's alert rules in every tenant it declares: reads each rule's metric, steps the
// instance's state machine, and stores the change, its history and its notification in one commit, audited.
import { randomBytes } from 'node:crypto';
import type { AlertRule, OrgRef, PolicyConfig } from '../../config/policy-config.ts';
import { formatOrgRef } from '../../config/schema/common-schemas.ts';
import {
  type AlertCondition,
  conditionHolds,
  parseAlertCondition,
} from '../../core/alerts/alert-condition.ts';
import { ruleNotification } from '../../core/alerts/alert-notification.ts';
import { type Observation, stepAlert } from '../../core/alerts/alert-state-machine.ts';
import { alertTiming } from '../../core/alerts/alert-timing.ts';
import type { AlertStateRecord, AlertStore, NewAlertDelivery } from '../../storage/alert-port.ts';
import type { TenantId } from '../../storage/ports.ts';
import { type AlertAudit, type AlertsLogger, recordTransition } from './alert-audit.ts';
import type { AlertMetricSource } from './alert-metric-source.ts';

export interface EvaluatedBundle {
  revision: string;
  content: PolicyConfig;
}

export interface EvaluationReport {
  transitions: number;
  notifications: number;
}

export interface AlertEvaluatorDeps {
  store: AlertStore;
  metrics: AlertMetricSource;
  audit: AlertAudit;
  logger: AlertsLogger;
  /** Ids of new episodes (PagerDuty dedup keys) and of deliveries; random by default. */
  newId?: (prefix: string) => string;
}

/** What an instance is evaluated with: its rule, or for an instance whose rule is gone, what is stored. */
interface InstanceRule {
  name: string;
  scope: string;
  severity: AlertRule['severity'];
  action: string;
  timing: ReturnType<typeof alertTiming>;
  condition: { text: string; parsed: AlertCondition } | null;
}

export const randomId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Every tenant a bundle declares: its root tenant and those under tenants/. */
export function bundleTenants(content: PolicyConfig): TenantId[] {
  return [...new Set([content.org.tenant.id, ...content.tenants.map((t) => t.id)])];
}

export class AlertEvaluator {
  readonly #deps: AlertEvaluatorDeps;
  readonly #newId: (prefix: string) => string;

  constructor(deps: AlertEvaluatorDeps) {
    this.#deps = deps;
    this.#newId = deps.newId ?? randomId;
  }

  async evaluate(bundle: EvaluatedBundle, now: Date): Promise<EvaluationReport> {
    const report: EvaluationReport = { transitions: 0, notifications: 0 };
    for (const tenantId of bundleTenants(bundle.content)) {
      await this.#evaluateTenant(bundle, tenantId, now, report);
    }
    return report;
  }

  async #evaluateTenant(bundle: EvaluatedBundle, tenantId: TenantId, now: Date, report: EvaluationReport) {
    const config = bundle.content.alerts;
    const stored = new Map(
      (await this.#deps.store.states(tenantId)).map((s) => [`${s.alert}\u0000${s.scope}`, s]),
    );
    for (const rule of config.alerts) {
      const parsed = parseAlertCondition(rule.condition);
      if (!parsed.ok) continue;
      const scope: OrgRef = rule.scope ?? { level: 'tenant' };
      const instance: InstanceRule = {
        name: rule.name,
        scope: formatOrgRef(scope),
        severity: rule.severity,
        action: rule.action,
        timing: alertTiming(rule),
        condition: { text: rule.condition, parsed: parsed.condition },
      };
      const key = `${instance.name}\u0000${instance.scope}`;
      const previous = stored.get(key);
      stored.delete(key);
      const value = await this.#read(parsed.condition.metric, scope, tenantId, now);
      const holds = value === undefined ? undefined : conditionHolds(parsed.condition, value);
      await this.#apply(bundle, tenantId, instance, previous, { holds, value, now }, report);
    }
    // Instances whose rule was removed (or re-scoped) end: pending ones quietly, firing ones with a resolution.
    for (const previous of stored.values()) {
      if (previous.status !== 'pending' && previous.status !== 'firing') continue;
      const instance: InstanceRule = {
        name: previous.alert,
        scope: previous.scope,
        severity: previous.severity,
        action: previous.channel,
        timing: alertTiming({}),
        condition: null,
      };
      await this.#apply(
        bundle,
        tenantId,
        instance,
        previous,
        { holds: false, value: undefined, now },
        report,
      );
    }
  }

  async #read(metric: string, scope: OrgRef, tenantId: TenantId, now: Date): Promise<number | undefined> {
    try {
      const value = await this.#deps.metrics.value(metric, scope, tenantId, now);
      return value === undefined || Number.isFinite(value) ? value : undefined;
    } catch (error) {
      this.#deps.logger.warn({ err: error, metric, tenant: tenantId }, 'alert metric could not be read');
      return undefined;
    }
  }

  async #apply(
    bundle: EvaluatedBundle,
    tenantId: TenantId,
    rule: InstanceRule,
    previous: AlertStateRecord | undefined,
    observation: Observation,
    report: EvaluationReport,
  ): Promise<void> {
    const step = stepAlert(previous, observation, rule.timing, () => this.#newId('alr'));
    if (!step.changed) return;
    const { now } = observation;
    const deliveries: NewAlertDelivery[] = [];
    // Without a channel of that name the action is a label: the alert is tracked and audited, not sent.
    if (step.notify && bundle.content.alerts.channels[rule.action]) {
      const notification = ruleNotification({
        tenantId,
        alert: rule.name,
        severity: rule.severity,
        scope: rule.scope,
        condition: rule.condition,
        state: step.state,
        notice: step.notify,
        now,
      });
      deliveries.push({ id: this.#newId('dlv'), channel: rule.action, notification, at: now });
    }
    const base = { alert: rule.name, scope: rule.scope, severity: rule.severity };
    const transition = step.transition && {
      ...base,
      instanceId: step.state.instanceId,
      from: step.transition.from,
      to: step.transition.to,
      value: step.state.value,
      at: now,
    };
    const committed = await this.#deps.store.commit({
      tenantId,
      state: {
        expectedVersion: previous?.version ?? 0,
        next: { ...step.state, ...base, channel: rule.action, updatedAt: now },
      },
      transitions: transition ? [transition] : [],
      deliveries,
    });
    // Another instance evaluated this one first (the lease changed hands): its commit stands.
    if (!committed) return;
    report.notifications += deliveries.length;
    if (!transition) return;
    report.transitions += 1;
    await recordTransition(this.#deps, tenantId, bundle.revision, {
      ...transition,
      source: 'rule',
      condition: rule.condition?.text ?? null,
      channel: rule.action,
    });
  }
}
