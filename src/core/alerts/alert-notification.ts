// What a notification says, whichever channel carries it: built from a rule's step or a budget threshold
// event, stored as JSON in the delivery outbox, rendered per channel format when sent.

import { type AlertCondition, formatMetricValue } from './alert-condition.ts';
import type { AlertInstanceState, AlertNotice } from './alert-state-machine.ts';

export type AlertSeverity = 'info' | 'warning' | 'critical';

/** A budget counter that passed one of its alert thresholds (the gateway's `budget` audit event). */
export interface BudgetThreshold {
  budget: string;
  /** The counter: the budget, or one seat of a per-seat budget. */
  counter: string;
  scope: string;
  mode: string;
  period: string;
  periodStart: string;
  resetsAt: string;
  /** Percent of the limit, e.g. 80. */
  threshold: number;
  spentUsd: number;
  limitUsd: number;
  /** The seat's user, for per-seat budgets. */
  user: string | null;
}

export interface AlertNotification {
  source: 'rule' | 'budget';
  status: 'firing' | 'resolved';
  /** A reminder that the alert is still firing. */
  repeat: boolean;
  tenantId: string;
  alert: string;
  severity: AlertSeverity;
  scope: string;
  /** The episode: the same for its firing, reminders and resolution (PagerDuty's dedup_key). */
  instanceId: string;
  /** ISO 8601: when the alert fired. */
  startsAt: string;
  /** ISO 8601: when it resolved. */
  endsAt: string | null;
  condition: string | null;
  value: number | null;
  /** The value as the condition writes it (`7.5%`, `$120.00`). */
  valueText: string | null;
  /** One line for humans. */
  summary: string;
  budget?: BudgetThreshold;
}

export interface RuleNotificationInput {
  tenantId: string;
  alert: string;
  severity: AlertSeverity;
  scope: string;
  /** As written in alerts.yaml, and parsed; null for an instance whose rule was removed (it resolves). */
  condition: { text: string; parsed: AlertCondition } | null;
  state: AlertInstanceState;
  notice: AlertNotice;
  now: Date;
}

export function ruleNotification(input: RuleNotificationInput): AlertNotification {
  const { state, notice, condition } = input;
  const value = state.value;
  const valueText = value === null || !condition ? null : formatMetricValue(value, condition.parsed.unit);
  const where = input.scope === 'tenant' ? input.tenantId : `${input.tenantId} (${input.scope})`;
  const startsAt = (state.firedAt ?? input.now).toISOString();
  const headline =
    notice.status === 'resolved'
      ? `${input.alert} resolved in ${where}`
      : notice.repeat
        ? `${input.alert} is still firing in ${where} (since ${startsAt})`
        : `${input.alert} is firing in ${where}`;
  const reading = valueText === null || !condition ? '' : `: ${condition.parsed.metric} is ${valueText}`;
  const why = condition ? `condition ${condition.text}` : 'its rule was removed from alerts.yaml';
  return {
    source: 'rule',
    status: notice.status,
    repeat: notice.repeat,
    tenantId: input.tenantId,
    alert: input.alert,
    severity: input.severity,
    scope: input.scope,
    instanceId: state.instanceId ?? '',
    startsAt,
    endsAt: notice.status === 'resolved' ? (state.resolvedAt ?? input.now).toISOString() : null,
    condition: condition?.text ?? null,
    value,
    valueText,
    summary: `${headline}${reading} (${why})`,
  };
}

export interface BudgetNotificationInput {
  tenantId: string;
  event: BudgetThreshold;
  severity: AlertSeverity;
  at: Date;
}

/** A budget threshold is a one-off notice: it fires once per threshold and period and never resolves. */
export function budgetNotification(input: BudgetNotificationInput): AlertNotification {
  const { event } = input;
  const seat = event.user ? ` for ${event.user}` : '';
  const summary =
    `Budget ${event.budget} (${event.scope})${seat} passed ${event.threshold}% in ${input.tenantId}: ` +
    `$${event.spentUsd.toFixed(2)} of $${event.limitUsd.toFixed(2)} this ${event.period} period, ` +
    `resets ${event.resetsAt}`;
  return {
    source: 'budget',
    status: 'firing',
    repeat: false,
    tenantId: input.tenantId,
    alert: `budget:${event.budget}`,
    severity: input.severity,
    scope: event.scope,
    // Unique across tenants, as PagerDuty services may be shared.
    instanceId: `${input.tenantId}/${event.counter}@${event.periodStart}#${event.threshold}`,
    startsAt: input.at.toISOString(),
    endsAt: null,
    condition: null,
    value: event.spentUsd,
    valueText: `$${event.spentUsd.toFixed(2)}`,
    summary,
    budget: event,
  };
}
