// Checks that span files: alert scopes against the org, preloaded rules, and what rules apply to.

import picomatch from 'picomatch';
import type { LoadContext } from './config-files.ts';
import { didYouMean } from './did-you-mean.ts';
import type { LoadedAlerts } from './load-alerts.ts';
import type { LocatedRule } from './load-rules.ts';
import { checkRef, indexOrg } from './org-checks.ts';
import type { MainConfig, OrgConfig } from './policy-config.ts';
import { positionOf, reportAt, type SourceFile } from './source-file.ts';

export function checkAlertScopes(ctx: LoadContext, alerts: LoadedAlerts, org: OrgConfig): void {
  const source = alerts.source;
  if (!source) return;
  const index = indexOrg(org);
  alerts.alerts.alerts.forEach((alert, i) => {
    if (alert.scope) checkRef(ctx, source, ['alerts', i, 'scope'], alert.scope, index);
  });
}

export interface RuleTargets {
  config: MainConfig;
  orgs: OrgConfig[];
  tenantIds: string[];
}

/** Names in `applies_to` that match nothing are likely typos, but rules may be shared ahead of the org: warnings. */
export function checkRuleTargets(ctx: LoadContext, rules: LocatedRule[], targets: RuleTargets): void {
  const known = {
    agents: Object.keys(targets.config.agent_routing),
    business_units: targets.orgs.flatMap((org) => indexOrg(org).businessUnits),
    teams: targets.orgs.flatMap((org) => indexOrg(org).teams),
    tenants: targets.tenantIds,
  };
  for (const item of rules) {
    const appliesTo = item.rule.frontmatter.applies_to as Record<string, string[] | undefined> | undefined;
    if (!appliesTo || !item.frontmatterSource) continue;
    for (const [field, names] of Object.entries(known)) {
      (appliesTo[field] ?? []).forEach((name, index) => {
        if (name === '*' || names.includes(name)) return;
        reportAt(
          ctx.problems,
          item.frontmatterSource!,
          ['applies_to', field, index],
          `applies to unknown ${field.replace(/s$/, '').replace('_', ' ')} "${name}"`,
          {
            severity: 'warning',
            hint: didYouMean(name, names),
          },
        );
      });
    }
  }
}

/** `caching.rules.preload` names rule ids (or globs over them); one that matches no rule preloads nothing. */
export function checkPreload(
  ctx: LoadContext,
  config: MainConfig,
  ruleIds: string[],
  source: SourceFile | undefined,
): void {
  if (!source) return;
  config.caching.rules.preload.forEach((entry, index) => {
    const matches = picomatch(entry);
    if (ruleIds.some((id) => matches(id))) return;
    reportAt(
      ctx.problems,
      source,
      ['caching', 'rules', 'preload', index],
      `preload entry "${entry}" matches no rule id`,
      {
        severity: 'warning',
        hint: didYouMean(entry, ruleIds),
      },
    );
  });
}

/** A `policy.default_agent` written in the file should name a profile, else the main thread gets the tenant default. */
export function checkDefaultAgent(
  ctx: LoadContext,
  config: MainConfig,
  source: SourceFile | undefined,
): void {
  const name = config.policy.default_agent;
  const agents = Object.keys(config.agent_routing);
  if (!source || name === undefined || agents.length === 0 || agents.includes(name)) return;
  if (!positionOf(source, ['policy', 'default_agent']).exact) return;
  reportAt(
    ctx.problems,
    source,
    ['policy', 'default_agent'],
    `default agent "${name}" has no profile in agent_routing`,
    {
      severity: 'warning',
      hint: didYouMean(name, agents) ?? `agents: ${agents.join(', ')}`,
    },
  );
}

const WEB_TOOLS = new Set(['web', 'WebFetch', 'WebSearch', '*']);

/** Domains allow only web tools; a profile that lists domains but grants no web tool allows nothing with them. */
export function checkProfileDomains(
  ctx: LoadContext,
  config: MainConfig,
  source: SourceFile | undefined,
): void {
  if (!source) return;
  for (const [agent, profile] of Object.entries(config.agent_routing)) {
    const { tools, domains } = profile.permissions;
    if (domains.length === 0 || tools.some((tool) => WEB_TOOLS.has(tool))) continue;
    reportAt(
      ctx.problems,
      source,
      ['agent_routing', agent, 'permissions', 'domains'],
      `agent "${agent}" lists domains but no web tool`,
      {
        severity: 'warning',
        hint: 'add WebFetch (or web) to its tools, or remove the domains: as written they allow nothing',
      },
    );
  }
}
