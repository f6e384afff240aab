// alerts.yaml: alert rules, the channels they notify (and how to reach them), budget alerts, evaluation timing.

import { z } from 'zod';
import { durationMs } from '../../core/alerts/alert-timing.ts';
import { checkedString, durationSchema, emailSchema, isEmail, orgRefSchema } from './common-schemas.ts';
import { checkAlertCondition } from './permission-patterns.ts';

const CHANNEL_TYPES = ['webhook', 'slack', 'pagerduty', 'email'] as const;
type ChannelType = (typeof CHANNEL_TYPES)[number];
const SEVERITIES = ['info', 'warning', 'critical'] as const;

function durationBetween(minMs: number, maxMs: number, range: string) {
  return durationSchema.superRefine((value, ctx) => {
    const ms = durationMs(value);
    if (Number.isFinite(ms) && (ms < minMs || ms > maxMs))
      ctx.addIssue({ code: 'custom', message: `must be between ${range}, got "${value}"`, input: value });
  });
}

export const evaluationIntervalSchema = durationBetween(1_000, 3_600_000, '1s and 1h');

export const alertRuleSchema = z.strictObject({
  name: z.string().min(1),
  condition: checkedString(checkAlertCondition),
  severity: z.enum(SEVERITIES).default('warning'),
  action: z.string().min(1),
  for: durationSchema.optional(),
  renotify: durationBetween(60_000, 30 * 86_400_000, '1m and 30d').optional(),
  scope: orgRefSchema.optional(),
});

const httpUrlSchema = checkedString((value) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  return url && (url.protocol === 'https:' || url.protocol === 'http:')
    ? undefined
    : {
        message: `invalid URL "${value}"`,
        hint: 'write an absolute http(s) URL, e.g. https://hooks.slack.com/services/…',
      };
});

/** `alerts@acme.test` or `LLM-RULES <alerts@acme.test>`. */
const senderSchema = checkedString((value) => {
  const address = /<([^<>]+)>\s*$/.exec(value)?.[1] ?? value;
  return isEmail(address.trim())
    ? undefined
    : {
        message: `invalid sender "${value}"`,
        hint: 'write alerts@acme.test or "LLM-RULES <alerts@acme.test>"',
      };
});

/** SMTP settings: at the top of alerts.yaml for every email channel, or on one channel (overriding). */
export const smtpSchema = z.strictObject({
  host: z.string().min(1).optional(),
  /** Default 465 when `secure`, else 587. */
  port: z.int().min(1).max(65_535).optional(),
  /** true: TLS from the start (port 465); false: STARTTLS when the server offers it. */
  secure: z.boolean().optional(),
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  from: senderSchema.optional(),
});

/** The fields each channel type takes (besides `type`). */
const CHANNEL_FIELDS: Record<ChannelType, readonly string[]> = {
  webhook: ['url', 'secret'],
  slack: ['url'],
  pagerduty: ['routing_key', 'url'],
  email: ['to', 'smtp'],
};

const REQUIRED: Record<ChannelType, { field: string; message: string; hint: string }> = {
  webhook: {
    field: 'url',
    message: 'a webhook channel needs a "url"',
    hint: 'url: https://hooks.acme.test/llm-rules',
  },
  slack: {
    field: 'url',
    message: 'a slack channel needs a "url" (an incoming webhook)',
    hint: 'url: ${SLACK_WEBHOOK_URL}',
  },
  pagerduty: {
    field: 'routing_key',
    message: 'a pagerduty channel needs a "routing_key" (the integration key of an Events API v2 service)',
    hint: 'routing_key: ${PAGERDUTY_ROUTING_KEY}',
  },
  email: {
    field: 'to',
    message: 'an email channel needs "to" (a list of addresses)',
    hint: 'to: [oncall@acme.test]',
  },
};

export const channelSchema = z
  .strictObject({
    type: z.enum(CHANNEL_TYPES),
    url: httpUrlSchema.optional(),
    to: z.array(emailSchema).min(1).optional(),
    /** webhook: signs each body with HMAC-SHA256 (`x-llm-rules-signature`). */
    secret: z.string().min(1).optional(),
    routing_key: z.string().min(1).optional(),
    smtp: smtpSchema.optional(),
  })
  .superRefine((value, ctx) => {
    const required = REQUIRED[value.type];
    if ((value as Record<string, unknown>)[required.field] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: required.message,
        params: { hint: required.hint },
      });
    }
    const allowed = CHANNEL_FIELDS[value.type];
    for (const [field, given] of Object.entries(value)) {
      if (field === 'type' || given === undefined || allowed.includes(field)) continue;
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `"${field}" does not apply to a ${value.type} channel`,
        params: { target: 'key', hint: `a ${value.type} channel takes: ${allowed.join(', ')}` },
      });
    }
  });

/** Budget threshold events from the gateway (once per threshold per period) and where they go. */
export const budgetAlertsSchema = z.strictObject({
  action: z.string().min(1),
  /** Default: critical at 100 % and above, warning below. */
  severity: z.enum(SEVERITIES).optional(),
});

/** The file's top level; entries and sections are validated one by one with the schemas above. */
export const alertsFileSchema = z.strictObject({
  alerts: z.array(z.unknown()).default([]),
  channels: z.record(z.string(), z.unknown()).default({}),
  evaluation_interval: z.unknown().optional(),
  smtp: z.unknown().optional(),
  budget_alerts: z.unknown().optional(),
});
