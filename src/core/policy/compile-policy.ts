// Compiles a PolicyConfig once per bundle into indexed rules, so a decision touches only rules that can match.

import type {
  AgentProfile,
  MainConfig,
  OrgConfig,
  OrgRef,
  PolicyConfig,
  PolicyRules,
  RoleDefinition,
} from '../../config/policy-config.ts';
import { ownValue } from '../values/own-value.ts';
import { compileDomainPattern, compileNamePattern } from './command-pattern.ts';
import type {
  CompiledAgent,
  CompiledPolicy,
  CompiledRole,
  CompiledRule,
  CompiledTenant,
  Effect,
  RuleNode,
  RuleTest,
} from './compiled-types.ts';
import { parseFileEntry, parsePermissionRule, type RuleTarget, TOOL_ALIASES } from './permission-rule.ts';
import { tenantOrg } from './tenant-org.ts';

export const RANK = { agent: -1, tenant: 0, business_unit: 1, team: 2, role: 3, user: 4 } as const;

export function compilePolicy(content: PolicyConfig, revision: string): CompiledPolicy {
  const tenants = new Map<string, CompiledTenant>();
  tenants.set(content.org.tenant.id, compileTenant(content.config, content.org, content.roles));
  for (const tenant of content.tenants) {
    tenants.set(tenant.id, compileTenant(tenant.config, tenantOrg(content, tenant.id)!, content.roles));
  }
  return { revision, tenants, cache: new Map() };
}

function compileTenant(
  config: MainConfig,
  org: OrgConfig,
  roleDefs: Record<string, RoleDefinition>,
): CompiledTenant {
  const ci = config.policy.case_insensitive_paths ?? false;
  const tenantRules: PolicyRules = {
    allow: config.policy.allow ?? [],
    ask: config.policy.ask ?? [],
    deny: config.policy.deny ?? [],
    security: config.policy.security ?? false,
  };
  const tenant: CompiledTenant = {
    id: org.tenant.id,
    decision: config.policy.decision,
    defaultAgent: config.policy.default_agent ?? 'developer',
    caseInsensitive: ci,
    maxToolCalls: config.limits.max_tool_calls_per_session,
    inheritance: org.inheritance,
    node: policyNode(`tenant:${org.tenant.id}`, RANK.tenant, tenantRules, ci),
    businessUnits: new Map(),
    teams: new Map(),
    groups: new Map(),
    members: new Map(),
    roleBindings: org.role_bindings,
    roles: new Map(),
    agents: new Map(),
  };
  for (const bu of org.business_units) {
    tenant.businessUnits.set(bu.id, policyNode(`business_unit:${bu.id}`, RANK.business_unit, bu.policy, ci));
    for (const team of bu.teams) {
      tenant.teams.set(team.id, {
        node: policyNode(`team:${team.id}`, RANK.team, team.policy, ci),
        businessUnitId: bu.id,
      });
      for (const member of team.members) {
        tenant.members.set(member.email, {
          node: policyNode(`user:${member.email}`, RANK.user, member.policy, ci),
          roles: member.roles,
        });
      }
    }
  }
  for (const group of org.groups) {
    const bindTo: OrgRef = group.bind_to ?? { level: 'tenant' };
    const compiled = {
      id: group.id,
      node: policyNode(`group:${group.id}`, RANK[bindTo.level], group.policy, ci),
      roles: group.roles,
      bindTo,
    };
    tenant.groups.set(group.id, compiled);
    if (!tenant.groups.has(group.idp_group)) tenant.groups.set(group.idp_group, compiled);
  }
  for (const account of org.service_accounts) {
    if (!tenant.members.has(account.id)) {
      tenant.members.set(account.id, { node: emptyNode(`service:${account.id}`), roles: account.roles });
    }
  }
  for (const [name, role] of Object.entries(roleDefs)) {
    const compiled: CompiledRole = {
      node: policyNode(`role:${name}`, RANK.role, role.policy, ci),
      permissions: role.permissions,
      inherits: role.inherits,
    };
    tenant.roles.set(name, compiled);
  }
  for (const [name, profile] of Object.entries(config.agent_routing)) {
    tenant.agents.set(name, compileAgent(name, profile, ci));
  }
  return tenant;
}

function emptyNode(id: string): RuleNode {
  return { id, rules: new Map() };
}

const ALWAYS: RuleTest = () => true;
const NEVER: RuleTest = () => false;

/** One uniform test per rule, so the decision loop makes the same call whatever the rule kind. */
export function ruleTest(target: RuleTarget): RuleTest {
  switch (target.kind) {
    case 'tool':
      return ALWAYS;
    case 'never':
      return NEVER;
    case 'path':
      return target.match;
    default: {
      const match = target.match;
      return (subject) => match(subject);
    }
  }
}

type RuleSpec = Omit<CompiledRule, 'head' | 'literal' | 'test'>;

function addRule(node: RuleNode, spec: RuleSpec): void {
  const rule: CompiledRule = {
    ...spec,
    head: spec.target.kind === 'path' || spec.target.kind === 'command' ? spec.target.head : undefined,
    literal: spec.target.kind === 'path' ? spec.target.literal : undefined,
    test: ruleTest(spec.target),
  };
  const bucket = node.rules.get(rule.target.index);
  if (bucket) bucket.push(rule);
  else node.rules.set(rule.target.index, [rule]);
}

function policyNode(id: string, rank: number, policy: PolicyRules | undefined, ci: boolean): RuleNode {
  const node = emptyNode(id);
  if (!policy) return node;
  for (const effect of ['deny', 'ask', 'allow'] as const) {
    policy[effect].forEach((text, index) => {
      addRule(node, {
        id: `${id}/${effect}[${index}]`,
        text,
        effect,
        rank,
        security: policy.security,
        target: parsePermissionRule(text, ci),
      });
    });
  }
  return node;
}

function compileAgent(name: string, profile: AgentProfile, ci: boolean): CompiledAgent {
  const node = emptyNode(`agent:${name}`);
  const p = profile.permissions;
  const add = (list: string, index: number, text: string, effect: Effect, target: RuleTarget) =>
    addRule(node, {
      id: `agent:${name}/${list}[${index}]`,
      text,
      effect,
      rank: RANK.agent,
      security: false,
      target,
    });
  for (const [i, text] of p.deny.entries()) add('deny', i, text, 'deny', parseFileEntry(text, ci));
  for (const [i, text] of p.files.entries()) add('files', i, text, 'allow', parseFileEntry(text, ci));
  p.commands.forEach((text, i) => {
    const rule = text.startsWith('Bash(') ? text : `Bash(${text})`;
    add('commands', i, text, 'allow', parsePermissionRule(rule, ci));
  });
  p.domains.forEach((text, i) => {
    add('domains', i, text, 'allow', { kind: 'domain', index: 'domain', match: compileDomainPattern(text) });
  });
  const mcp = p.mcp.map((text) => compileNamePattern(text.startsWith('mcp__') ? text : `mcp__${text}__*`));
  const tools = new Set<string>();
  const toolPatterns = [];
  let allTools = false;
  for (const entry of p.tools) {
    const alias = ownValue(TOOL_ALIASES, entry);
    if (entry === '*') allTools = true;
    else if (alias) for (const tool of alias) tools.add(tool);
    else if (entry === 'mcp') toolPatterns.push(compileNamePattern('mcp__*'));
    else if (entry.includes('*')) toolPatterns.push(compileNamePattern(entry));
    else tools.add(entry === 'Task' ? 'Agent' : entry);
  }
  return { name, node, tools, toolPatterns, allTools, mcp };
}

/** Does the profile's `tools` list (or its `mcp` list, for MCP tools) grant this tool? */
export function agentGrantsTool(agent: CompiledAgent, tool: string): boolean {
  if (agent.allTools || agent.tools.has(tool)) return true;
  if (tool.startsWith('mcp__') && agent.mcp.some((match) => match(tool))) return true;
  return agent.toolPatterns.some((match) => match(tool));
}
