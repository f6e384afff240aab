// Which files sync writes for a project: the rules selected for its audience, rendered in each chosen
// format, plus the subagents of every agent_routing profile. Pure: the writer applies or checks it.
import type { PolicyConfig, RuleDocument } from '../../../config/policy-config.ts';
import { tenantOrg } from '../../../core/policy/tenant-org.ts';
import type { RuleAudience } from '../../../core/rules/rule-audience.ts';
import { appliesTo, rulesForTenant, selectRules } from '../../../core/rules/select-rules.ts';
import { tenantConfig } from '../../bundles/tenant-config.ts';
import { agentsMdFormat } from './agents-md-format.ts';
import { claudeFormat } from './claude-format.ts';
import { copilotFormat } from './copilot-format.ts';
import { cursorFormat } from './cursor-format.ts';
import type {
  AgentToRender,
  GeneratedLocation,
  PlannedFile,
  SyncContent,
  SyncFormat,
} from './render-types.ts';

export const SYNC_FORMATS: Readonly<Record<string, SyncFormat>> = {
  claude: claudeFormat,
  'agents-md': agentsMdFormat,
  cursor: cursorFormat,
  copilot: copilotFormat,
};

export interface SyncPlan {
  files: PlannedFile[];
  locations: GeneratedLocation[];
  /** The rules for the project's main thread, as rendered. */
  rules: RuleDocument[];
  /** The tenant's rules left out because they are for teams or business units the audience is not in. */
  otherTeams: RuleDocument[];
  /** The tenant's rules left out for another reason: repository, tech stack or agent. */
  otherwise: RuleDocument[];
}

export function planSync(
  config: PolicyConfig,
  revision: string,
  audience: RuleAudience,
  formats: readonly string[],
): SyncPlan {
  const content = syncContent(config, revision, audience);
  const chosen = formats.map((name) => SYNC_FORMATS[name]!);
  const tenantRules = rulesForTenant(config, audience.tenantId);
  const left = tenantRules.filter((rule) => !content.rules.includes(rule));
  return {
    files: chosen.flatMap((format) => format.render(content)),
    locations: chosen.flatMap((format) => format.locations),
    rules: [...content.rules],
    otherTeams: left.filter((rule) => outsideOrgPlace(rule, audience)),
    otherwise: left.filter((rule) => !outsideOrgPlace(rule, audience)),
  };
}

export function syncContent(config: PolicyConfig, revision: string, audience: RuleAudience): SyncContent {
  const tenantRules = rulesForTenant(config, audience.tenantId);
  const profiles = tenantConfig(config, audience.tenantId)?.agent_routing ?? {};
  const agents: AgentToRender[] = Object.entries(profiles).map(([name, profile]) => ({
    name,
    profile,
    definition: config.agents?.find((definition) => definition.name === name),
    rules: selectRules(tenantRules, { ...audience, agent: name }).filter((rule) =>
      appliesTo(rule).agents?.includes(name),
    ),
  }));
  return {
    revision,
    orgName: tenantOrg(config, audience.tenantId)?.tenant.name ?? audience.tenantId,
    rules: selectRules(tenantRules, audience),
    agents,
    commands: config.commands ?? [],
  };
}

/** A rule restricted to teams or business units, none of them the audience's. */
function outsideOrgPlace(rule: RuleDocument, audience: RuleAudience): boolean {
  const to = appliesTo(rule);
  const excludes = (names: readonly string[] | undefined, value: string | null) =>
    !!names && names.length > 0 && !names.includes('*') && (value === null || !names.includes(value));
  return excludes(to.teams, audience.teamId) || excludes(to.business_units, audience.businessUnitId);
}
