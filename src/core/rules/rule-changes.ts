// What a new bundle changes in the rules, rule by rule, with a unified diff of each file: the
// `rule_modification` audit events. A root rule shared with other tenants (isolation other than
// strict) is recorded in each chain it reaches.

import type { PolicyConfig, RuleDocument } from '../../config/policy-config.ts';
import { unifiedDiff } from './line-diff.ts';

export interface RuleChange {
  /** The tenants whose sessions the rule reaches: their audit chains record the change. */
  tenants: string[];
  ruleId: string;
  path: string;
  kind: 'added' | 'removed' | 'changed';
  diff: string;
}

/** The rule file as written: frontmatter (as loaded) and body, so both kinds of edit show in the diff. */
function fileText(rule: RuleDocument | undefined): string {
  if (!rule) return '';
  const meta = { ...(rule.title ? { title: rule.title } : {}), ...rule.frontmatter };
  const head = Object.keys(meta).length > 0 ? `---\n${JSON.stringify(meta)}\n---\n` : '';
  return head + rule.body;
}

function rulesByTenant(config: PolicyConfig | undefined): Map<string, Map<string, RuleDocument>> {
  const out = new Map<string, Map<string, RuleDocument>>();
  if (!config) return out;
  out.set(config.org.tenant.id, new Map(config.rules.map((r) => [r.id, r])));
  for (const tenant of config.tenants) out.set(tenant.id, new Map(tenant.rules.map((r) => [r.id, r])));
  return out;
}

export function ruleChanges(before: PolicyConfig | undefined, after: PolicyConfig): RuleChange[] {
  const was = rulesByTenant(before);
  const now = rulesByTenant(after);
  const root = after.org.tenant.id;
  const shared = after.config.multi_tenant.isolation !== 'strict';
  const reach = (owner: string) =>
    owner === root && shared ? [root, ...after.tenants.map((t) => t.id)] : [owner];
  const changes: RuleChange[] = [];
  for (const owner of new Set([...was.keys(), ...now.keys()])) {
    const old = was.get(owner) ?? new Map<string, RuleDocument>();
    const next = now.get(owner) ?? new Map<string, RuleDocument>();
    for (const id of [...new Set([...old.keys(), ...next.keys()])].sort()) {
      const a = old.get(id);
      const b = next.get(id);
      const diff = unifiedDiff(fileText(a), fileText(b), {
        from: a ? `a/${a.path}` : '/dev/null',
        to: b ? `b/${b.path}` : '/dev/null',
      });
      if (diff === '') continue;
      changes.push({
        tenants: now.has(owner) ? reach(owner) : [owner],
        ruleId: id,
        path: (b ?? a)!.path,
        kind: !a ? 'added' : !b ? 'removed' : 'changed',
        diff,
      });
    }
  }
  return changes;
}
