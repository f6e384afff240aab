// Sends one notification to one resolved channel, in that channel's format.
import type { AlertNotification } from '../../../core/alerts/alert-notification.ts';
import type { ResolvedChannel } from '../alert-channels.ts';
import { alertEmail } from './email-format.ts';
import { postJson } from './http-post.ts';
import { pagerDutyRequest } from './pagerduty-format.ts';
import type { SendResult } from './send-result.ts';
import { slackRequest } from './slack-format.ts';
import { sendEmail } from './smtp-send.ts';
import { webhookRequest } from './webhook-format.ts';

export interface SendMeta {
  deliveryId: string;
  now: Date;
}

export type NotificationSender = (
  channel: ResolvedChannel,
  notification: AlertNotification,
  meta: SendMeta,
) => Promise<SendResult>;

export const sendNotification: NotificationSender = (channel, n, meta) => {
  switch (channel.type) {
    case 'webhook':
      return postJson(webhookRequest(channel, n, meta));
    case 'slack':
      return postJson(slackRequest(channel, n));
    case 'pagerduty':
      return postJson(pagerDutyRequest(channel, n));
    case 'email':
      return sendEmail(channel.smtp, channel.to, alertEmail(n, meta.deliveryId));
  }
};
