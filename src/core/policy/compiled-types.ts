// The compiled form of a policy bundle: rules filed by tenant, org node, agent and tool, ready to match.

import type { DefaultDecision, InheritanceRules, OrgRef } from '../../config/policy-config.ts';
import type { TextMatcher } from './command-pattern.ts';
import type { PathContext } from './path-pattern.ts';
import type { RuleTarget } from './permission-rule.ts';

export type Effect = 'allow' | 'ask' | 'deny';

export interface CompiledRule {
  /** `tenant:acme/deny[0]`, `team:payments/ask[1]`, `agent:developer/files[0]`. */
  id: string;
  /** As written: `Read(.env*)`. */
  text: string;
  effect: Effect;
  /** Precedence for allow-vs-ask: agent profile -1, tenant 0, business unit 1, team 2, role 3, user 4. */
  rank: number;
  security: boolean;
  target: RuleTarget;
  /** For path rules anchored at the working directory: the literal first segment (see literalHead). */
  head: string | undefined;
  /** For plain-path rules under the working directory (`src/**`): the path they cover, an index key. */
  literal: string | undefined;
  /** Does the rule match this subject (path, sub-command, host or name)? Derived from `target`. */
  test: RuleTest;
}

/** `rel` is a path subject relative to the working directory (undefined outside it or for non-paths). */
export type RuleTest = (subject: string, paths: PathContext, rel: string | undefined) => boolean;

/** The rules of one org node (or role, group, user, agent profile), by index bucket. */
export interface RuleNode {
  id: string;
  rules: Map<string, CompiledRule[]>;
}

export interface CompiledAgent {
  name: string;
  node: RuleNode;
  tools: Set<string>;
  toolPatterns: TextMatcher[];
  allTools: boolean;
  /** The profile's `mcp` list (servers or tool patterns): it grants the MCP tools it matches. */
  mcp: TextMatcher[];
}

export interface CompiledRole {
  node: RuleNode;
  permissions: string[];
  inherits: string[];
}

export interface CompiledGroup {
  id: string;
  node: RuleNode;
  roles: string[];
  bindTo: OrgRef;
}

export interface CompiledTenant {
  id: string;
  decision: DefaultDecision;
  defaultAgent: string;
  caseInsensitive: boolean;
  maxToolCalls: number;
  inheritance: InheritanceRules;
  node: RuleNode;
  businessUnits: Map<string, RuleNode>;
  /** Team id → its node and its business unit. */
  teams: Map<string, { node: RuleNode; businessUnitId: string }>;
  /** By group id and by IdP group name. */
  groups: Map<string, CompiledGroup>;
  members: Map<string, { node: RuleNode; roles: string[] }>;
  roleBindings: { role: string; at: OrgRef; subjects: string[] }[];
  roles: Map<string, CompiledRole>;
  agents: Map<string, CompiledAgent>;
}

export interface CompiledPolicy {
  revision: string;
  tenants: Map<string, CompiledTenant>;
  /** Rules merged per principal and agent, filled on first use; cleared when it grows too large. */
  cache: Map<string, unknown>;
}
