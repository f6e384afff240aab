// The generic webhook: one JSON document per notification (snake_case, versioned), signed with HMAC-SHA256
// when the channel has a secret.
import type { AlertNotification } from '../../../core/alerts/alert-notification.ts';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '../webhook-signature.ts';
import type { HttpPost } from './http-post.ts';

export const DELIVERY_HEADER = 'x-llm-rules-delivery';

export function webhookBody(n: AlertNotification, deliveryId: string): Record<string, unknown> {
  return {
    version: 1,
    delivery_id: deliveryId,
    source: n.source,
    status: n.status,
    repeat: n.repeat,
    tenant: n.tenantId,
    alert: n.alert,
    severity: n.severity,
    scope: n.scope,
    instance_id: n.instanceId,
    condition: n.condition,
    value: n.value,
    value_text: n.valueText,
    starts_at: n.startsAt,
    ends_at: n.endsAt,
    summary: n.summary,
    ...(n.budget
      ? {
          budget: {
            id: n.budget.budget,
            counter: n.budget.counter,
            scope: n.budget.scope,
            mode: n.budget.mode,
            period: n.budget.period,
            period_start: n.budget.periodStart,
            resets_at: n.budget.resetsAt,
            threshold_percent: n.budget.threshold,
            spent_usd: n.budget.spentUsd,
            limit_usd: n.budget.limitUsd,
            user: n.budget.user,
          },
        }
      : {}),
  };
}

export function webhookRequest(
  channel: { url: string; secret: string | undefined },
  n: AlertNotification,
  meta: { deliveryId: string; now: Date },
): HttpPost {
  const body = JSON.stringify(webhookBody(n, meta.deliveryId));
  const headers: Record<string, string> = { [DELIVERY_HEADER]: meta.deliveryId };
  if (channel.secret !== undefined) {
    const timestamp = Math.floor(meta.now.getTime() / 1000);
    headers[TIMESTAMP_HEADER] = String(timestamp);
    headers[SIGNATURE_HEADER] = signWebhook(channel.secret, timestamp, body);
  }
  return { url: channel.url, body, headers };
}
