// Resolves a channel named in alerts.yaml into what a sender needs, secrets read from the server's
// environment at send time (bundles keep only their `${VAR}` references).
import type { EnvMap } from '../../config/env-interpolation.ts';
import type { AlertsConfig, SmtpSettings } from '../../config/policy-config.ts';
import { resolveSecret } from '../../config/resolve-secret.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface ResolvedSmtp {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  from: string;
}

export type ResolvedChannel =
  | { name: string; type: 'webhook'; url: string; secret: string | undefined }
  | { name: string; type: 'slack'; url: string }
  | { name: string; type: 'pagerduty'; url: string; routingKey: string }
  | { name: string; type: 'email'; to: string[]; smtp: ResolvedSmtp };

export type ChannelResolution = { ok: true; channel: ResolvedChannel } | { ok: false; error: string };

/** A channel that cannot be resolved (gone from the config, a secret unset) will not heal by retrying. */
export function resolveChannel(
  config: AlertsConfig | undefined,
  name: string,
  env: EnvMap,
): ChannelResolution {
  const channel = config?.channels[name];
  if (!channel) return { ok: false, error: `channel "${name}" is not in the active alerts.yaml` };
  try {
    const secret = (field: string, reference: string) => {
      const value = resolveSecret(reference, env, `channels.${name}.${field}`);
      if (value === '') throw new Error(`channels.${name}.${field} is empty`);
      return value;
    };
    switch (channel.type) {
      case 'webhook':
        return {
          ok: true,
          channel: {
            name,
            type: 'webhook',
            url: channel.url!,
            secret: channel.secret === undefined ? undefined : secret('secret', channel.secret),
          },
        };
      case 'slack':
        return { ok: true, channel: { name, type: 'slack', url: channel.url! } };
      case 'pagerduty':
        return {
          ok: true,
          channel: {
            name,
            type: 'pagerduty',
            url: channel.url ?? PAGERDUTY_EVENTS_URL,
            routingKey: secret('routing_key', channel.routing_key!),
          },
        };
      case 'email':
        return {
          ok: true,
          channel: {
            name,
            type: 'email',
            to: channel.to!,
            smtp: resolveSmtp(name, { ...config.smtp, ...channel.smtp }, env),
          },
        };
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function resolveSmtp(channel: string, smtp: SmtpSettings, env: EnvMap): ResolvedSmtp {
  const secure = smtp.secure ?? false;
  const resolved: ResolvedSmtp = {
    host: smtp.host!,
    port: smtp.port ?? (secure ? 465 : 587),
    secure,
    from: smtp.from!,
  };
  if (smtp.username !== undefined) {
    const pass =
      smtp.password === undefined
        ? ''
        : resolveSecret(smtp.password, env, `channels.${channel}.smtp.password`);
    resolved.auth = { user: smtp.username, pass };
  }
  return resolved;
}
