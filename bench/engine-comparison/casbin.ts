// The comparison policy in Casbin: RBAC (user → team → tenant) with path matching and deny-override.

import { type Enforcer, newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { type PathRule, TEAMS, USERS_PER_TEAM, userOf } from './policy.ts';

// `p.how` picks the matcher: keyMatch for a directory prefix (`dir/*`), regexMatch for a segment
// prefix at any depth (`(^|/)\.env`), which keyMatch cannot express. The cheap tests come first so
// that the 10,000 lines of other teams and the other action are skipped before any path matching.
export const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act, eft, how

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.act == p.act && g(r.sub, p.sub) && (p.how == "key" ? keyMatch(r.obj, p.obj) : regexMatch(r.obj, p.obj))
`;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function casbinLine(rule: PathRule): string {
  const sub = rule.team === undefined ? 'tenant:acme' : `team${rule.team}`;
  const [obj, how] =
    rule.kind === 'prefix' ? [`${rule.pattern}/*`, 'key'] : [`(^|/)${escapeRegex(rule.pattern)}`, 'regex'];
  return `p, ${sub}, ${obj}, ${rule.action}, ${rule.effect}, ${how}`;
}

/** The policy lines, and the role links of `teams`' members (team → tenant, user → team). */
export function casbinPolicyText(rules: readonly PathRule[], teams: readonly number[]): string {
  const lines = rules.map(casbinLine);
  for (const t of teams) {
    lines.push(`g, team${t}, tenant:acme`);
    for (let n = 0; n < USERS_PER_TEAM; n++) lines.push(`g, ${userOf(t, n)}, team${t}`);
  }
  return lines.join('\n');
}

export interface CasbinEngine {
  /** One enforcer with every line (10,005 policy lines). */
  full: Enforcer;
  /** Per team, an enforcer with its 40 lines and the 5 tenant-wide ones. */
  byTeam: Enforcer[];
}

export async function buildCasbin(rules: readonly PathRule[]): Promise<CasbinEngine> {
  const all = Array.from({ length: TEAMS }, (_, t) => t);
  const full = await newEnforcer(
    newModelFromString(CASBIN_MODEL),
    new StringAdapter(casbinPolicyText(rules, all)),
  );
  const tenant = rules.filter((r) => r.team === undefined);
  const byTeam: Enforcer[] = [];
  for (const t of all) {
    const slice = [...tenant, ...rules.filter((r) => r.team === t)];
    byTeam.push(
      await newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(casbinPolicyText(slice, [t]))),
    );
  }
  return { full, byTeam };
}
