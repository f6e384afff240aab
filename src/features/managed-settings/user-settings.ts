// The managed settings one signed-in developer's Claude Code gets from `GET /managed/settings`, derived
// from the policy: every hook event to this server with the developer's own hook credential, the
// enforced file denies mirrored into `permissions.deny`, the models they may pick, the gateway hint
// headers (so each model request says which settings its session runs under), and telemetry (OTLP) to
// this server with the same credential.

import { createHash } from 'node:crypto';
import type { PolicyConfig } from '../../config/policy-config.ts';
import { canonicalJson } from '../../core/bundles/canonical-json.ts';
import { type ModelSubject, ruleApplies } from '../../core/models/model-access.ts';
import { tenantConfig } from '../bundles/tenant-config.ts';
import { denyMirror } from '../connect/deny-mirror.ts';
import { hookSettings } from '../connect/managed-settings.ts';

export interface UserSettingsInput {
  content: PolicyConfig;
  tenantId: string;
  models: ModelSubject;
  serverUrl: string;
  hookCredential: string;
}

export function userManagedSettings(input: UserSettingsInput): Record<string, unknown> {
  const config = tenantConfig(input.content, input.tenantId);
  const settings: Record<string, unknown> = {
    hooks: hookSettings(input.serverUrl, { token: input.hookCredential }),
    allowManagedHooksOnly: true,
    env: {
      CLAUDE_CODE_GATEWAY_HINT_HEADERS: '1',
      // Telemetry to this server, with the same hook credential (docs/telemetry.md).
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: input.serverUrl.replace(/\/+$/, ''),
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${input.hookCredential}`,
    },
    permissions: { deny: denyMirror(input.content, input.tenantId) },
  };
  const models = pickableModels(config?.gateway.models ?? [], input.models);
  if (models) settings.availableModels = models;
  return settings;
}

/**
 * The models to offer in Claude Code's picker: the allow lists on the caller's path when they name
 * models outright. A pattern (`claude-sonnet-*`) cannot be listed, so then the picker is left alone;
 * the gateway refuses what is not allowed either way.
 */
function pickableModels(
  rules: NonNullable<ReturnType<typeof tenantConfig>>['gateway']['models'],
  who: ModelSubject,
): string[] | undefined {
  const onPath = rules.filter((rule) => ruleApplies(rule.scope, who));
  const allowed = onPath.flatMap((rule) => rule.allow);
  if (allowed.length === 0 || allowed.some((p) => p.includes('*'))) return undefined;
  const denied = new Set(onPath.flatMap((rule) => rule.deny).map((p) => p.toLowerCase()));
  return [...new Set(allowed)].filter((model) => !denied.has(model.toLowerCase())).sort();
}

/** The gateway protocol's checksum: `sha256:` and the hex SHA-256 of the settings with sorted keys, no whitespace. */
export function settingsChecksum(settings: Record<string, unknown>): string {
  return `sha256:${createHash('sha256').update(canonicalJson(settings), 'utf8').digest('hex')}`;
}
