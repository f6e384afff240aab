// Loads alerts.yaml: alert rules and channels, with every alert's action checked against the channels.

import { findVariant, type LoadContext, readSource, topLevelMapping } from './config-files.ts';
import { didYouMean } from './did-you-mean.ts';
import type { AlertsConfig } from './policy-config.ts';
import { alertRuleSchema, alertsFileSchema, channelSchema } from './schema/alerts-schema.ts';
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
  // Each alert and channel is validated on its own, so one bad entry does not hide the others' problems.
  const alerts: AlertsConfig = { alerts: [], channels: {} };
  for (const [name, value] of Object.entries(file.channels)) {
    const channel = validateWith(channelSchema, value, source, ctx.problems, {
      basePath: ['channels', name],
    });
    if (channel) alerts.channels[name] = channel;
  }
  const channels = Object.keys(file.channels);
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
    // Without channels an action is a free-form label; with them, it must say where to send.
    if (typeof action === 'string' && channels.length > 0 && !channels.includes(action)) {
      reportAt(ctx.problems, source, ['alerts', index, 'action'], `action "${action}" names no channel`, {
        hint: didYouMean(action, channels) ?? `channels: ${channels.join(', ')}`,
      });
    }
  });
  return { alerts, source };
}
