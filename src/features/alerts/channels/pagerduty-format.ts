// PagerDuty Events API v2: `trigger` on firing (reminders re-trigger the same incident), `resolve` on
// resolution, both keyed by the alert instance so PagerDuty opens and closes one incident per episode.
import type { AlertNotification } from '../../../core/alerts/alert-notification.ts';
import type { HttpPost } from './http-post.ts';

/** PagerDuty's limits on summary and dedup_key. */
const MAX_SUMMARY = 1024;
const MAX_DEDUP_KEY = 255;

export function pagerDutyEvent(routingKey: string, n: AlertNotification): Record<string, unknown> {
  const dedupKey = n.instanceId.slice(0, MAX_DEDUP_KEY);
  if (n.status === 'resolved')
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    client: 'LLM-RULES',
    payload: {
      summary: n.summary.slice(0, MAX_SUMMARY),
      source: `llm-rules/${n.tenantId}`,
      severity: n.severity,
      timestamp: n.startsAt,
      component: n.scope,
      group: n.tenantId,
      class: n.alert,
      custom_details: {
        condition: n.condition,
        value: n.value,
        value_text: n.valueText,
        repeat: n.repeat,
        ...(n.budget ? { budget: n.budget } : {}),
      },
    },
  };
}

export function pagerDutyRequest(
  channel: { url: string; routingKey: string },
  n: AlertNotification,
): HttpPost {
  return { url: channel.url, body: JSON.stringify(pagerDutyEvent(channel.routingKey, n)) };
}
