// `sync --managed`: what a machine's managed-settings directory holds, the policy CLAUDE.md (the org's
// rules for every session on the machine) and managed-settings.json, the very settings `llm-rules
// connect` writes.
import type { PolicyConfig } from '../../../config/policy-config.ts';
import type { RuleAudience } from '../../../core/rules/rule-audience.ts';
import { denyMirror } from '../../connect/deny-mirror.ts';
import { type ConnectOptions, managedSettings } from '../../connect/managed-settings.ts';
import { inlineRulesDocument } from './inline-rules-document.ts';
import type { PlannedFile } from './render-types.ts';
import { syncContent } from './sync-plan.ts';

export type ManagedConnection = Omit<ConnectOptions, 'denyMirror'>;

export function planManaged(
  config: PolicyConfig,
  revision: string,
  audience: RuleAudience,
  connection: ManagedConnection,
): PlannedFile[] {
  const content = syncContent(config, revision, audience);
  const settings = managedSettings({ ...connection, denyMirror: denyMirror(config, audience.tenantId) });
  return [
    {
      path: 'CLAUDE.md',
      content: inlineRulesDocument({
        revision,
        title: `${content.orgName} rules`,
        intro: "The organisation's rules for every Claude Code session on this machine, from its policy.",
        rules: content.rules,
      }),
    },
    { path: 'managed-settings.json', content: `${JSON.stringify(settings, null, 2)}\n`, ownership: 'always' },
  ];
}
