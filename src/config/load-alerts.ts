// Loads alerts.yaml: alert rules, channels, SMTP settings and budget alerts, with every action checked
// against the channels and every email channel against the SMTP settings it will send with.

import { findVariant, type LoadContext, readSource, topLevelMapping } from './config-files.ts';
import type { FieldPath, ProblemList } from './config-problem.ts';
import { didYouMean } from './did-you-mean.ts';
import type { AlertsConfig, SmtpSettings } from './policy-config.ts';
import {
  alertRuleSchema,
  alertsFileSchema,
  budgetAlertsSchema,
  channelSchema,
  evaluationIntervalSchema,
  smtpSchema,
} from './schema/alerts-schema.ts';
import { reportAt, type SourceFile } from './source-file.ts';
import { validateWith } from './zod-issues.ts';

export interface LoadedAlerts {
  alerts: AlertsConfig;
  source: SourceFile | undefined;
}

export async function loadAlerts(ctx: LoadContext): Promise<LoadedAlerts> {
  const empty: AlertsConfig = { alerts: [], channels: {} };
  const rel = await findVariant(ctx, '', 'alerts');
  if (rel === undefined) return { alerts: empty, source: undefined };
  const source = await readSource(ctx, rel);
  const raw = source ? topLevelMapping(ctx, source) : undefined;
  if (!source || !raw) return { alerts: empty, source };
  const file = validateWith(alertsFileSchema, raw, source, ctx.problems);
  if (!file) return { alerts: empty, source };
  // Each alert, channel and section is validated on its own, so one bad entry does not hide the others' problems.
  const alerts: AlertsConfig = { alerts: [], channels: {} };
  const section = <T>(key: string, schema: Parameters<typeof validateWith>[0], value: unknown) =>
    value === undefined
      ? undefined
      : (validateWith(schema, value, source, ctx.problems, { basePath: [key] }) as T | undefined);
  const interval = section<string>('evaluation_interval', evaluationIntervalSchema, file.evaluation_interval);
  if (interval !== undefined) alerts.evaluation_interval = interval;
  const smtp = section<SmtpSettings>('smtp', smtpSchema, file.smtp);
  if (smtp !== undefined) alerts.smtp = smtp;
  for (const [name, value] of Object.entries(file.channels)) {
    const channel = validateWith(channelSchema, value, source, ctx.problems, {
      basePath: ['channels', name],
    });
    if (!channel) continue;
    alerts.channels[name] = channel;
    if (channel.type === 'email') checkSmtp(ctx.problems, source, name, { ...alerts.smtp, ...channel.smtp });
  }
  const channels = Object.keys(file.channels);
  // Without channels an action is a free-form label; with them, it must say where to send.
  const checkAction = (action: unknown, path: FieldPath) => {
    if (typeof action === 'string' && channels.length > 0 && !channels.includes(action)) {
      reportAt(ctx.problems, source, path, `action "${action}" names no channel`, {
        hint: didYouMean(action, channels) ?? `channels: ${channels.join(', ')}`,
      });
    }
  };
  const budgetAlerts = section<AlertsConfig['budget_alerts']>(
    'budget_alerts',
    budgetAlertsSchema,
    file.budget_alerts,
  );
  if (budgetAlerts !== undefined) {
    alerts.budget_alerts = budgetAlerts;
    checkAction(budgetAlerts.action, ['budget_alerts', 'action']);
  }
  const seen = new Set<string>();
  file.alerts.forEach((value, index) => {
    const alert = validateWith(alertRuleSchema, value, source, ctx.problems, { basePath: ['alerts', index] });
    if (alert) alerts.alerts.push(alert);
    const { name, action } = (value ?? {}) as { name?: unknown; action?: unknown };
    if (typeof name === 'string') {
      if (seen.has(name))
        reportAt(ctx.problems, source, ['alerts', index, 'name'], `duplicate alert name "${name}"`);
      seen.add(name);
    }
    checkAction(action, ['alerts', index, 'action']);
  });
  return { alerts, source };
}

/** An email channel sends with its own `smtp` over the file's: together they must name a server and a sender. */
function checkSmtp(problems: ProblemList, source: SourceFile, channel: string, smtp: SmtpSettings): void {
  const missing = (['host', 'from'] as const).filter((field) => smtp[field] === undefined);
  if (missing.length === 0) return;
  reportAt(
    problems,
    source,
    ['channels', channel, 'type'],
    `an email channel needs SMTP settings: ${missing.map((f) => `"${f}"`).join(' and ')}`,
    {
      hint: 'add smtp: {host: smtp.acme.test, from: alerts@acme.test} at the top of alerts.yaml, or on the channel',
    },
  );
}
