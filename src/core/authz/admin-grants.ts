// Who may do what on the admin API: the permissions of permissions.yaml (`budgets:write`, `audit:read`,
// `config:*` ...), each granted at an org node and holding for that node's whole subtree. A principal's
// grants come from their own roles (bound at their team, or the tenant when they have none), their IdP
// groups' roles (bound where the group is, `bind_to`, else the tenant) and `role_bindings` naming them
// or their groups, with every role a role inherits. The tenant is never crossed: grants are computed
// within one tenant's org, and a target is always a node of that tenant.
import type { OrgConfig, OrgRef, RoleDefinition } from '../../config/policy-config.ts';

export interface Grant {
  permission: string;
  at: OrgRef;
  /** The role it came from, for explanations. */
  role: string;
}

export interface AdminSubject {
  type: 'user' | 'service_account';
  id: string;
  /** The roles the org gives the principal directly (member entry, service account). */
  roles: readonly string[];
  groups: readonly string[];
  teamId: string | null;
}

export function adminGrants(
  org: OrgConfig,
  roles: Readonly<Record<string, RoleDefinition>>,
  who: AdminSubject,
): Grant[] {
  const bound: { role: string; at: OrgRef }[] = [];
  const home: OrgRef = who.teamId ? { level: 'team', id: who.teamId } : { level: 'tenant' };
  for (const role of who.roles) bound.push({ role, at: home });
  const groups = org.groups.filter((g) => who.groups.includes(g.id));
  for (const group of groups) {
    for (const role of group.roles) bound.push({ role, at: group.bind_to ?? { level: 'tenant' } });
  }
  const subjects = new Set([
    who.type === 'user' ? who.id : `service:${who.id}`,
    ...groups.map((g) => `group:${g.id}`),
  ]);
  for (const binding of org.role_bindings) {
    if (binding.subjects.some((s) => subjects.has(s.toLowerCase()) || subjects.has(s))) {
      bound.push({ role: binding.role, at: binding.at });
    }
  }
  const grants: Grant[] = [];
  for (const { role, at } of bound) {
    for (const name of withInherited(roles, role)) {
      for (const permission of roles[name]?.permissions ?? []) grants.push({ permission, at, role: name });
    }
  }
  return grants;
}

/** Whether a grant of `granted` covers `wanted`: equal, `resource:*`, or `*:*` (and `*:action`). */
export function covers(granted: string, wanted: string): boolean {
  if (granted === wanted) return true;
  const [gr, ga] = granted.split(':');
  const [wr, wa] = wanted.split(':');
  return (gr === '*' || gr === wr) && (ga === '*' || ga === wa);
}

/** The nodes above and at `target`, root first: a grant at any of them holds for `target`. */
export function pathTo(org: OrgConfig, target: OrgRef, userTeam?: string | null): OrgRef[] {
  const path: OrgRef[] = [{ level: 'tenant' }];
  const teamOf = (teamId: string): OrgRef[] => {
    const bu = org.business_units.find((b) => b.teams.some((t) => t.id === teamId));
    return bu
      ? [
          { level: 'business_unit', id: bu.id },
          { level: 'team', id: teamId },
        ]
      : [{ level: 'team', id: teamId }];
  };
  if (target.level === 'business_unit') path.push(target);
  if (target.level === 'team' && target.id) path.push(...teamOf(target.id));
  if (target.level === 'user') {
    const team =
      userTeam ??
      org.business_units
        .flatMap((b) => b.teams)
        .find((t) => t.members.some((m) => m.email.toLowerCase() === target.id?.toLowerCase()))?.id;
    if (team) path.push(...teamOf(team));
    path.push(target);
  }
  return path;
}

const sameNode = (a: OrgRef, b: OrgRef) => a.level === b.level && (a.level === 'tenant' || a.id === b.id);

export function permits(grants: readonly Grant[], permission: string, path: readonly OrgRef[]): boolean {
  return grants.some((g) => covers(g.permission, permission) && path.some((node) => sameNode(node, g.at)));
}

function withInherited(roles: Readonly<Record<string, RoleDefinition>>, root: string): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const parent of roles[name]?.inherits ?? []) visit(parent);
  };
  visit(root);
  return [...seen];
}
