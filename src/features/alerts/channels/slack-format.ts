// Slack incoming webhooks: a `text` fallback (notifications, screen readers) and Block Kit blocks.
import type { AlertNotification } from '../../../core/alerts/alert-notification.ts';
import type { HttpPost } from './http-post.ts';

const ICON = { firing: ':rotating_light:', resolved: ':white_check_mark:' } as const;

/** `[FIRING]`, `[STILL FIRING]` or `[RESOLVED]`. */
export function statusLabel(n: AlertNotification): string {
  if (n.status === 'resolved') return '[RESOLVED]';
  return n.repeat ? '[STILL FIRING]' : '[FIRING]';
}

/** Slack reads `&`, `<` and `>` as markup in mrkdwn and text. */
function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function slackBody(n: AlertNotification): Record<string, unknown> {
  const title = `${statusLabel(n)} ${n.alert}`;
  const field = (label: string, value: string) => ({
    type: 'mrkdwn',
    text: `*${label}*\n${slackEscape(value)}`,
  });
  return {
    text: `${ICON[n.status]} ${slackEscape(`${title}: ${n.summary}`)}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: `${ICON[n.status]} ${slackEscape(n.summary)}` } },
      {
        type: 'section',
        fields: [
          field('Severity', n.severity),
          field('Tenant', n.tenantId),
          field('Scope', n.scope),
          ...(n.valueText === null ? [] : [field('Value', n.valueText)]),
        ],
      },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: slackEscape(`LLM-RULES · since ${n.startsAt} · instance ${n.instanceId}`) },
        ],
      },
    ],
  };
}

export function slackRequest(channel: { url: string }, n: AlertNotification): HttpPost {
  return { url: channel.url, body: JSON.stringify(slackBody(n)) };
}
