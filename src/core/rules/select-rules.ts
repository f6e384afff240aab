// Which rules apply to an audience, in the order they are delivered: a rule's `applies_to` lists are
// conditions that must all hold (any name in a list matches; `*` matches anything); a rule without
// `applies_to` applies to everyone in its tenant. Higher `priority` first, then as loaded, then by id.

import picomatch from 'picomatch';
import type { ContextDocument, PolicyConfig, RuleDocument } from '../../config/policy-config.ts';
import type { RuleAudience } from './rule-audience.ts';

interface AppliesTo {
  tenants?: string[];
  business_units?: string[];
  teams?: string[];
  agents?: string[];
  repositories?: string[];
  paths?: string[];
  tech_stacks?: string[];
}

export function appliesTo(rule: RuleDocument): AppliesTo {
  return (rule.frontmatter.applies_to as AppliesTo | undefined) ?? {};
}

export function rulePriority(rule: RuleDocument): number {
  return typeof rule.frontmatter.priority === 'number' ? rule.frontmatter.priority : 0;
}

export function isPreload(rule: RuleDocument, preloadPatterns: readonly string[]): boolean {
  return rule.frontmatter.preload === true || preloadPatterns.some((p) => picomatch.isMatch(rule.id, p));
}

export function ruleApplies(rule: RuleDocument, audience: RuleAudience): boolean {
  const to = appliesTo(rule);
  return (
    matchesName(to.tenants, audience.tenantId) &&
    matchesName(to.business_units, audience.businessUnitId) &&
    matchesName(to.teams, audience.teamId) &&
    matchesName(to.agents, audience.agent) &&
    matchesRepository(to.repositories, audience.repository) &&
    matchesAnyStack(to.tech_stacks, audience.techStacks) &&
    overlapsPaths(to.paths, audience.projectPath)
  );
}

export function selectRules(rules: readonly RuleDocument[], audience: RuleAudience): RuleDocument[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => ruleApplies(rule, audience))
    .sort(
      (a, b) =>
        rulePriority(b.rule) - rulePriority(a.rule) ||
        a.index - b.index ||
        (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0),
    )
    .map(({ rule }) => rule);
}

/**
 * The rules a tenant's sessions may get under `multi_tenant.isolation`: the root org's own rules for
 * the root tenant; for another tenant its own rules, plus (unless `strict`) the root's rules, a
 * tenant rule replacing a root rule of the same id.
 */
export function rulesForTenant(config: PolicyConfig, tenantId: string): RuleDocument[] {
  if (tenantId === config.org.tenant.id) return config.rules;
  const tenant = config.tenants.find((t) => t.id === tenantId);
  if (!tenant) return [];
  if (config.config.multi_tenant.isolation === 'strict') return tenant.rules;
  const own = new Set(tenant.rules.map((r) => r.id));
  return [...config.rules.filter((r) => !own.has(r.id)), ...tenant.rules];
}

/** Context documents for a tenant's sessions: its own; the root's `context/` too when isolation is shared_context. */
export function contextForTenant(config: PolicyConfig, tenantId: string): ContextDocument[] {
  const shared = config.context ?? [];
  if (tenantId === config.org.tenant.id) return shared;
  const tenant = config.tenants.find((t) => t.id === tenantId);
  if (!tenant) return [];
  return config.config.multi_tenant.isolation === 'shared_context'
    ? [...shared, ...tenant.context]
    : tenant.context;
}

function matchesName(names: readonly string[] | undefined, value: string | null): boolean {
  if (!names || names.length === 0) return true;
  if (names.includes('*')) return true;
  return value !== null && names.includes(value);
}

/** `acme/platform-api` matches that repository; `platform-api` its last segment; globs (`acme/*`) too. */
function matchesRepository(names: readonly string[] | undefined, repository: string | null): boolean {
  if (!names || names.length === 0) return true;
  if (repository === null) return false;
  const last = repository.split('/').at(-1)!;
  return names.some((raw) => {
    const name = raw.toLowerCase();
    if (name === repository || (!name.includes('/') && name === last)) return true;
    return picomatch.isMatch(repository, name);
  });
}

function matchesAnyStack(names: readonly string[] | undefined, stacks: readonly string[]): boolean {
  if (!names || names.length === 0) return true;
  return names.some((name) => name === '*' || stacks.includes(name.toLowerCase()));
}

/**
 * A path-scoped rule applies where the session's directory and the rule's globs can meet: at the
 * project root (it may touch any file), inside a matching directory, or above one. Unknown: applies.
 */
function overlapsPaths(globs: readonly string[] | undefined, projectPath: string | null): boolean {
  if (!globs || globs.length === 0 || projectPath === null || projectPath === '') return true;
  const here = projectPath.split('/').filter(Boolean);
  return globs.some((glob) => {
    const prefix = staticPrefix(glob);
    const n = Math.min(prefix.length, here.length);
    for (let i = 0; i < n; i++) if (prefix[i] !== here[i]) return false;
    return true;
  });
}

/** The directory segments of a glob before its first wildcard: `services/payments/**` → [services, payments]. */
export function staticPrefix(glob: string): string[] {
  const segments = glob.replace(/^\.?\//, '').split('/');
  const out: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?[\]{}!]/.test(segment)) break;
    out.push(segment);
  }
  return out;
}
