// The comparison policy as an LLM-RULES PolicyConfig: team rules in org/ teams, tenant rules in policy.

import { emptyOrgConfig } from '../../src/config/load-org.ts';
import type { PolicyConfig, TeamConfig } from '../../src/config/policy-config.ts';
import {
  type CompiledPolicy,
  compilePolicy,
  type DecisionInput,
  decide,
} from '../../src/core/policy/index.ts';
import { profile, rules } from '../../src/core/policy/policy-test-config.ts';
import { benchMainConfig } from '../support/bench-main-config.ts';
import {
  BUSINESS_UNITS,
  type PathRule,
  type Request,
  TEAMS,
  TENANT_RULES,
  teamRules,
  USERS_PER_TEAM,
  userOf,
} from './policy.ts';

/** `Read(services/team7/mod0/**)`, `Edit(.env*)`: Claude Code permission-rule strings. */
export function permissionRule(rule: PathRule): string {
  return rule.kind === 'prefix' ? `${rule.action}(${rule.pattern}/**)` : `${rule.action}(${rule.pattern}*)`;
}

function split(list: PathRule[]): { allow: string[]; deny: string[] } {
  return {
    allow: list.filter((r) => r.effect === 'allow').map(permissionRule),
    deny: list.filter((r) => r.effect === 'deny').map(permissionRule),
  };
}

export function comparisonConfig(): PolicyConfig {
  const units = Array.from({ length: BUSINESS_UNITS }, (_, u) => ({
    id: `bu${u}`,
    name: `BU ${u}`,
    teams: [] as TeamConfig[],
  }));
  for (let t = 0; t < TEAMS; t++) {
    units[t % BUSINESS_UNITS]!.teams.push({
      id: `team${t}`,
      name: `Team ${t}`,
      members: Array.from({ length: USERS_PER_TEAM }, (_, n) => ({
        email: userOf(t, n),
        roles: [],
        groups: [],
      })),
      policy: rules(split(teamRules(t))),
    });
  }
  return {
    format_version: 1,
    config: benchMainConfig({
      // The agent profile grants both tools and adds no path rules of its own.
      agent_routing: { developer: profile({ tools: ['*'] }) },
      policy: { decision: 'deny', ...rules(split(TENANT_RULES)), default_agent: 'developer' },
    }),
    roles: {},
    alerts: { alerts: [], channels: {} },
    org: { ...emptyOrgConfig({ id: 'acme', name: 'Acme' }), business_units: units },
    rules: [],
    tenants: [],
    tests: [],
  };
}

export interface OurEngine {
  policy: CompiledPolicy;
  /** One hook-shaped input per request, built before timing: the path is absolute, under cwd /repo. */
  inputs: DecisionInput[];
}

export function buildOurs(requests: readonly Request[]): OurEngine {
  const policy = compilePolicy(comparisonConfig(), 'engine-comparison');
  const inputs = requests.map(
    (r): DecisionInput => ({
      principal: {
        tenantId: 'acme',
        userId: r.user,
        roles: [],
        groups: [],
        businessUnitId: `bu${r.team % BUSINESS_UNITS}`,
        teamId: `team${r.team}`,
      },
      toolName: r.action,
      toolInput: { file_path: `/repo/${r.path}` },
      cwd: '/repo',
      home: '/home/dev',
    }),
  );
  return { policy, inputs };
}

export function oursAllows(engine: OurEngine, i: number): boolean {
  return decide(engine.policy, engine.inputs[i]!).outcome === 'allow';
}
