// Loads a `.claude/` config-as-code directory into a PolicyConfig, collecting every problem in every file.

import { resolve } from 'node:path';
import { type LoadContext, pathKind } from './config-files.ts';
import type { ConfigProblem } from './config-problem.ts';
import { ProblemList } from './config-problem.ts';
import {
  checkAlertScopes,
  checkDefaultAgent,
  checkPreload,
  checkProfileDomains,
  checkRuleTargets,
} from './cross-checks.ts';
import { loadAlerts } from './load-alerts.ts';
import { loadAgentDefinitions, loadCommandDefinitions, loadContextDocuments } from './load-definitions.ts';
import { loadMainConfig } from './load-main-config.ts';
import { emptyOrgConfig, loadOrg } from './load-org.ts';
import { loadRoles } from './load-roles.ts';
import { checkDuplicateRuleIds, loadRules } from './load-rules.ts';
import { loadTenants } from './load-tenants.ts';
import { loadTests } from './load-tests.ts';
import type { PolicyConfig } from './policy-config.ts';
import { reportAt } from './source-file.ts';

export type { ConfigProblem } from './config-problem.ts';

export type LoadResult =
  | { ok: true; config: PolicyConfig; warnings: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[] };

export interface LoadOptions {
  /** Values for `${VAR}` interpolation (the CLI passes the process environment). */
  env: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_TENANT = { id: 'default', name: 'Default' } as const;

/** Never throws for a user mistake: every problem (errors and warnings) comes back in the result. */
export async function loadPolicyConfig(dir: string, options: LoadOptions): Promise<LoadResult> {
  const ctx: LoadContext = { dir, env: options.env, problems: new ProblemList() };
  const kind = await pathKind(resolve(dir));
  if (kind !== 'dir') {
    ctx.problems.whole(dir, kind === 'missing' ? `directory not found: ${dir}` : `not a directory: ${dir}`, {
      hint: `point at a .claude/ config directory, or create one with \`llm-rules init ${dir}\``,
    });
    return { ok: false, problems: ctx.problems.items };
  }

  const main = await loadMainConfig(ctx);
  const { roles, complete: rolesComplete } = await loadRoles(ctx);
  const roleNames = rolesComplete ? Object.keys(roles) : undefined;
  const alerts = await loadAlerts(ctx);
  const hasOrg = (await pathKind(resolve(dir, 'org'))) === 'dir';
  const org = hasOrg
    ? await loadOrg(ctx, { rel: 'org', defaultTenant: { ...DEFAULT_TENANT }, roles: roleNames })
    : emptyOrgConfig(DEFAULT_TENANT);
  const rootRules = [
    ...(await loadRules(ctx, 'rules-master', 'rules-master')),
    ...(await loadRules(ctx, 'rules', 'rules')),
  ];
  checkDuplicateRuleIds(ctx, rootRules);
  const tenants = await loadTenants(ctx, main, roleNames, org.tenant.id);
  const tests = await loadTests(ctx);
  const agents = await loadAgentDefinitions(ctx, main.config);
  const commands = await loadCommandDefinitions(ctx);
  const context = await loadContextDocuments(ctx, 'context');

  checkAlertScopes(ctx, alerts, org);
  if (main.config) {
    const allRules = [...rootRules, ...tenants.flatMap((t) => t.rules)];
    checkPreload(ctx, main.config, [...new Set(allRules.map((item) => item.rule.id))], main.source);
    checkDefaultAgent(ctx, main.config, main.source);
    checkProfileDomains(ctx, main.config, main.source);
    checkRuleTargets(ctx, allRules, {
      config: main.config,
      orgs: [org, ...tenants.flatMap((t) => (t.tenant.org ? [t.tenant.org] : []))],
      tenantIds: [org.tenant.id, ...tenants.map((t) => t.tenant.id)],
    });
    if (tenants.length > 0 && !main.config.multi_tenant.enabled && main.source) {
      reportAt(
        ctx.problems,
        main.source,
        ['multi_tenant', 'enabled'],
        `tenants/ defines ${tenants.length} tenant(s) but multi_tenant.enabled is false`,
        {
          hint: 'set multi_tenant.enabled: true, or remove tenants/',
          severity: 'warning',
        },
      );
    }
  }

  const problems = sortProblems(ctx.problems.items);
  if (!main.config || ctx.problems.errorCount > 0) return { ok: false, problems };
  const config: PolicyConfig = {
    format_version: 1,
    config: main.config,
    roles,
    alerts: alerts.alerts,
    org,
    rules: rootRules.map((item) => item.rule),
    tenants: tenants.map((t) => t.tenant),
    tests,
  };
  if (agents.length > 0) config.agents = agents;
  if (commands.length > 0) config.commands = commands;
  if (context.length > 0) config.context = context;
  return { ok: true, config, warnings: problems };
}

/** By file, then position, so output is stable whatever order the loaders ran in. */
function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) =>
    a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column,
  );
}
