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
  /** Why the principal may not spawn this subagent (a profile in agent_routing), if so. */
  refuseSubagent(name: string): string | undefined;
  /** The rules of every node that applies, for one set of index buckets, merged (memoized). */
  lookup(keys: readonly string[]): RuleSet;
}

/** Rules to test one by one, and plain-path rules filed by the path they cover (matched by lookup). */
export interface RuleSet {
  general: CompiledRule[];
  byLiteral: Map<string, CompiledRule[]> | undefined;
}

const CACHE_LIMIT = 50_000;

interface CacheEntry {
  principal: PolicyPrincipal;
  agentName: string | undefined;
  rules: PrincipalRules;
}

/** Cached by user, then compared field by field: cheaper than building a string key on every call. */
export function principalRules(
  policy: CompiledPolicy,
  tenant: CompiledTenant,
  principal: PolicyPrincipal,
  agentName: string | undefined,
): PrincipalRules {
  const entries = policy.cache.get(principal.userId) as CacheEntry[] | undefined;
  if (entries) {
    for (const entry of entries) {
      if (entry.agentName === agentName && samePrincipal(entry.principal, principal)) return entry.rules;
    }
  }
  if (policy.cache.size >= CACHE_LIMIT) policy.cache.clear();
  const rules = resolve(tenant, principal, agentName);
  const entry: CacheEntry = { principal: copyPrincipal(principal), agentName, rules };
  const list = policy.cache.get(principal.userId) as CacheEntry[] | undefined;
  if (list && list.length < 64) list.push(entry);
  else policy.cache.set(principal.userId, [entry]);
  return rules;
}

function samePrincipal(a: PolicyPrincipal, b: PolicyPrincipal): boolean {
  return (
    a.tenantId === b.tenantId &&
    a.businessUnitId === b.businessUnitId &&
    a.teamId === b.teamId &&
    sameList(a.roles, b.roles) &&
    sameList(a.groups, b.groups)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Callers may reuse and mutate their principal objects; the cache keeps its own copy. */
function copyPrincipal(p: PolicyPrincipal): PolicyPrincipal {
  return { ...p, roles: [...p.roles], groups: [...p.groups] };
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

  const merged = mergedSetsFor(tenant, nodes);
  return {
    agent,
    agentRefusal,
    refuseSubagent: (name) =>
      tenant.agents.has(name) ? refuseAgent(tenant, name, effectiveRoles) : undefined,
    lookup(keys) {
      let set = merged.get(keys);
      if (!set) {
        set = ruleSet(nodes.flatMap((node) => keys.flatMap((k) => node.rules.get(k) ?? [])));
        if (merged.size < 256) merged.set(keys, set);
      }
      return set;
    },
  };
}

/** Rule sets by index buckets, keyed by array identity: tool-checks hands out one shared array per set of buckets. */
type MergedSets = Map<readonly string[], RuleSet>;

/**
 * Principals whose nodes hold the same rules (everyone in a team without rules of their own) share their
 * merged sets: one copy per team instead of one per user keeps a decision's working set in the CPU caches.
 */
const sharedSets = new WeakMap<CompiledTenant, Map<string, MergedSets>>();
const MAX_SHARED_SETS = 10_000;

function mergedSetsFor(tenant: CompiledTenant, nodes: RuleNode[]): MergedSets {
  const key = nodes
    .filter((node) => node.rules.size > 0)
    .map((node) => node.id)
    .join('\u0000');
  let byNodes = sharedSets.get(tenant);
  if (!byNodes || byNodes.size >= MAX_SHARED_SETS) {
    byNodes = new Map();
    sharedSets.set(tenant, byNodes);
  }
  let sets = byNodes.get(key);
  if (!sets) {
    sets = new Map();
    byNodes.set(key, sets);
  }
  return sets;
}

function ruleSet(rules: CompiledRule[]): RuleSet {
  const general: CompiledRule[] = [];
  let byLiteral: Map<string, CompiledRule[]> | undefined;
  for (const rule of rules) {
    if (rule.literal === undefined) {
      general.push(rule);
      continue;
    }
    byLiteral ??= new Map();
    const list = byLiteral.get(rule.literal);
    if (list) list.push(rule);
    else byLiteral.set(rule.literal, [rule]);
  }
  return { general, byLiteral };
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
