// Alert email: the status, alert and severity in the subject; the summary and its details as plain text.
import type { AlertNotification } from '../../../core/alerts/alert-notification.ts';
import { statusLabel } from './slack-format.ts';

export interface AlertEmail {
  subject: string;
  text: string;
  headers: Record<string, string>;
}

export function alertEmail(n: AlertNotification, deliveryId: string): AlertEmail {
  const lines: [string, string | null][] = [
    ['Alert', n.alert],
    ['Status', n.repeat ? 'firing (reminder)' : n.status],
    ['Severity', n.severity],
    ['Tenant', n.tenantId],
    ['Scope', n.scope],
    ['Condition', n.condition],
    ['Value', n.valueText],
    ['Since', n.startsAt],
    ['Resolved', n.endsAt],
    ['Instance', n.instanceId],
  ];
  const details = lines.filter(([, value]) => value !== null).map(([label, value]) => `${label}: ${value}`);
  return {
    subject: `${statusLabel(n)} ${n.alert} (${n.severity}) in ${n.tenantId}`,
    text: `${n.summary}\n\n${details.join('\n')}\n\n-- \nLLM-RULES alerting\n`,
    headers: { 'X-LLM-Rules-Delivery': deliveryId, 'X-LLM-Rules-Alert-Instance': n.instanceId },
  };
}
