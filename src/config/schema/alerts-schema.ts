// alerts.yaml: alert rules and the channels they notify.

import { z } from 'zod';
import { checkedString, durationSchema, emailSchema, orgRefSchema } from './common-schemas.ts';
import { checkAlertCondition } from './permission-patterns.ts';

export const alertRuleSchema = z.strictObject({
  name: z.string().min(1),
  condition: checkedString(checkAlertCondition),
  severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  action: z.string().min(1),
  for: durationSchema.optional(),
  scope: orgRefSchema.optional(),
});

export const channelSchema = z
  .strictObject({
    type: z.enum(['webhook', 'slack', 'pagerduty', 'email']),
    url: z.string().min(1).optional(),
    to: z.array(emailSchema).min(1).optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.type === 'webhook' || value.type === 'slack') && value.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `a ${value.type} channel needs a "url"` });
    }
    if (value.type === 'email' && value.to === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: 'an email channel needs "to" (a list of addresses)',
        params: { hint: 'to: [oncall@acme.test]' },
      });
    }
  });

/** The file's top level; entries are validated one by one with the schemas above. */
export const alertsFileSchema = z.strictObject({
  alerts: z.array(z.unknown()).default([]),
  channels: z.record(z.string(), z.unknown()).default({}),
});
