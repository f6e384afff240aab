// Resolves who is asking into the rule nodes that apply to them (org path, groups, roles, user, agent), cached.

import type { OrgRef } from '../../config/policy-config.ts';
import type {
  CompiledAgent,
  CompiledPolicy,
  CompiledRule,
  CompiledTenant,
  RuleNode,
} from './compiled-types.ts';
import type { PolicyPrincipal } from './types.ts';

export interface PrincipalRules {
  agent: CompiledAgent | undefined;
  /** Why the principal may not use the agent it named, if so. */
  agentRefusal: string | undefined;
  /** The rules of every node that applies, for one set of index buckets, merged (memoized). */
  lookup(keys: readonly string[]): CompiledRule[];
}

const CACHE_LIMIT = 50_000;

export function principalRules(
  policy: CompiledPolicy,
  tenant: CompiledTenant,
  principal: PolicyPrincipal,
  agentName: string | undefined,
): PrincipalRules {
  const key = `${tenant.id}\u0000${principal.userId}\u0000${principal.businessUnitId}\u0000${principal.teamId}\u0000${principal.roles.join(',')}\u0000${principal.groups.join(',')}\u0000${agentName ?? ''}`;
  const cached = policy.cache.get(key) as PrincipalRules | undefined;
  if (cached) return cached;
  if (policy.cache.size >= CACHE_LIMIT) policy.cache.clear();
  const resolved = resolve(tenant, principal, agentName);
  policy.cache.set(key, resolved);
  return resolved;
}

function resolve(
  tenant: CompiledTenant,
  principal: PolicyPrincipal,
  agentName: string | undefined,
): PrincipalRules {
  const businessUnitId =
    principal.businessUnitId ??
    (principal.teamId ? tenant.teams.get(principal.teamId)?.businessUnitId : undefined) ??
    null;
  const onPath = (ref: OrgRef): boolean =>
    ref.level === 'tenant' ||
    (ref.level === 'business_unit' && ref.id === businessUnitId) ||
    (ref.level === 'team' && ref.id === principal.teamId) ||
    (ref.level === 'user' && ref.id === principal.userId);

  const nodes: RuleNode[] = [tenant.node];
  const bu = businessUnitId ? tenant.businessUnits.get(businessUnitId) : undefined;
  if (bu) nodes.push(bu);
  const team = principal.teamId ? tenant.teams.get(principal.teamId) : undefined;
  if (team) nodes.push(team.node);

  const roleNames = new Set(principal.roles);
  const groupIds = new Set<string>();
  for (const name of principal.groups) {
    const group = tenant.groups.get(name);
    if (!group || groupIds.has(group.id) || !onPath(group.bindTo)) continue;
    groupIds.add(group.id);
    nodes.push(group.node);
    for (const role of group.roles) roleNames.add(role);
  }
  const member = tenant.members.get(principal.userId);
  if (member) for (const role of member.roles) roleNames.add(role);
  const subjects = new Set([
    principal.userId,
    `service:${principal.userId}`,
    ...[...groupIds].map((id) => `group:${id}`),
  ]);
  for (const binding of tenant.roleBindings) {
    if (onPath(binding.at) && binding.subjects.some((s) => subjects.has(s))) roleNames.add(binding.role);
  }
  const effectiveRoles = expandRoles(tenant, roleNames);
  for (const role of effectiveRoles) {
    const compiled = tenant.roles.get(role);
    if (compiled) nodes.push(compiled.node);
  }
  if (member) nodes.push(member.node);

  const named = agentName !== undefined ? tenant.agents.get(agentName) : undefined;
  const agent = named ?? tenant.agents.get(tenant.defaultAgent);
  if (agent) nodes.unshift(agent.node);
  const agentRefusal = named ? refuseAgent(tenant, named.name, effectiveRoles) : undefined;

  const merged = new Map<string, CompiledRule[]>();
  return {
    agent,
    agentRefusal,
    lookup(keys) {
      const id = keys.join('|');
      let rules = merged.get(id);
      if (!rules) {
        rules = nodes.flatMap((node) => keys.flatMap((k) => node.rules.get(k) ?? []));
        merged.set(id, rules);
      }
      return rules;
    },
  };
}

/** Roles inherit from roles (permissions.yaml `inherits`), transitively; cycles are cut. */
function expandRoles(tenant: CompiledTenant, roots: Set<string>): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const parent of tenant.roles.get(name)?.inherits ?? []) visit(parent);
  };
  for (const name of roots) visit(name);
  return [...seen];
}

/** A named agent needs `agents:<name>` (or `agents:*`) from one of the principal's roles, when roles are defined. */
function refuseAgent(tenant: CompiledTenant, agent: string, roles: string[]): string | undefined {
  if (tenant.roles.size === 0) return undefined;
  const grants = new Set(['agents:*', '*:*', `agents:${agent}`]);
  const ok = roles.some((role) => tenant.roles.get(role)?.permissions.some((p) => grants.has(p)));
  if (ok) return undefined;
  const held = roles.length > 0 ? `role(s) ${roles.join(', ')}` : 'no role';
  return `agent "${agent}" is not permitted: ${held} grant(s) no agents:${agent} permission`;
}
