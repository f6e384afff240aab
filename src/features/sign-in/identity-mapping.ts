// Who an IdP identity is in LLM-RULES: the one active user with that email across the tenants, and the
// org groups their IdP groups stand for (`groups[].idp_group` in org/roles.yaml). Nobody signs in who is
// not in the org config: the IdP proves who someone is, the config says what they may do.
import type { BudgetSubject } from '../../core/budgets/applicable-budgets.ts';
import type { GroupRecord, OrgStore, UserRecord } from '../../storage/ports.ts';
import type { SignInStore } from '../../storage/sign-in-port.ts';
import { type IdpIdentity, IdpRefusal } from './oidc-federation.ts';

export async function memberFor(org: OrgStore, identity: Pick<IdpIdentity, 'email'>): Promise<UserRecord> {
  const id = identity.email.trim().toLowerCase();
  const found: UserRecord[] = [];
  for (const tenant of await org.listTenants()) {
    const user = await org.getUser(tenant.id, id);
    if (user) found.push(user);
  }
  const active = found.filter((u) => u.deprovisionedAt === null);
  if (active.length === 1) return active[0]!;
  if (active.length > 1) {
    throw new IdpRefusal(
      `${identity.email} is a member of several tenants (${active.map((u) => u.tenantId).join(', ')}); sign-in needs one. Ask your platform team.`,
    );
  }
  throw new IdpRefusal(
    found.length > 0
      ? `${identity.email} is no longer a member in LLM-RULES (deprovisioned). Ask your platform team.`
      : `${identity.email} is not a member of any team in LLM-RULES; ask your platform team to add you to org/hierarchy.yaml.`,
  );
}

/** The org groups a set of IdP groups stands for. */
export function groupsFromIdp(groups: readonly GroupRecord[], idpGroups: readonly string[]): string[] {
  const names = new Set(idpGroups);
  return groups.filter((g) => names.has(g.idpGroup)).map((g) => g.id);
}

/** The user's groups: those the config gives them, and those their IdP groups map to. */
export function effectiveGroups(
  user: Pick<UserRecord, 'groups'>,
  tenantGroups: readonly GroupRecord[],
  idpGroups: readonly string[],
): string[] {
  return [...new Set([...user.groups, ...groupsFromIdp(tenantGroups, idpGroups)])];
}

/**
 * A member as the budgets see them away from a request (the budget views and increases): no key, since a
 * seat is the person's whichever key they use, and as groups the configured ones and those the IdP groups
 * of any of their active sign-in sessions map to. The union across sessions, since a seat is theirs if any
 * session they hold has it; with no session (API keys only), the configured ones.
 */
export async function memberBudgetSubject(
  signIn: Pick<SignInStore, 'listSessions'>,
  tenantGroups: readonly GroupRecord[],
  user: UserRecord,
  now: Date,
): Promise<BudgetSubject> {
  const sessions = await signIn.listSessions(user.tenantId, user.id, now);
  return {
    type: 'user',
    id: user.id,
    businessUnitId: user.businessUnitId,
    teamId: user.teamId,
    keyId: null,
    groups: effectiveGroups(
      user,
      tenantGroups,
      sessions.flatMap((s) => s.idpGroups),
    ),
  };
}
