// File denies every agent of a tenant shares, as Claude Code permission rules, so a machine refuses
// them locally even before asking the server (defence in depth, never the only enforcement).
import type { PolicyConfig } from '../../config/policy-config.ts';
import { tenantConfig } from '../bundles/tenant-config.ts';

const PERMISSION_RULE = /^[A-Za-z][\w-]*\(.*\)$/;

export function denyMirror(content: PolicyConfig, tenantId: string): string[] {
  const profiles = Object.values(tenantConfig(content, tenantId)?.agent_routing ?? {});
  if (profiles.length === 0) return [];
  // Only what every profile denies: a deny of one agent must not stop the others locally.
  const [first, ...rest] = profiles.map((p) => new Set(p.permissions.deny));
  const shared = [...first!].filter((entry) => rest.every((set) => set.has(entry)));
  return shared.flatMap(toClaudeRules).sort();
}

/** A bare glob follows gitignore: without a slash it matches at any depth, with one from the project root. */
function toClaudeRules(entry: string): string[] {
  if (PERMISSION_RULE.test(entry)) return [entry];
  const trimmed = entry.replace(/^\.\//, '');
  const path = trimmed.includes('/') ? `./${trimmed.replace(/^\//, '')}` : `**/${trimmed}`;
  return [`Read(${path})`, `Edit(${path})`];
}
