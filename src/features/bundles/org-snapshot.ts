// Turns a tenant's org config (nested business units → teams → members) into the flat snapshot
// the org store is synchronized to.
import type { OrgConfig } from '../../config/policy-config.ts';
import type { OrgSnapshot } from '../../storage/ports.ts';

export function orgSnapshot(org: OrgConfig): OrgSnapshot {
  const snapshot: OrgSnapshot = {
    tenant: { id: org.tenant.id, name: org.tenant.name },
    businessUnits: [],
    teams: [],
    users: [],
    groups: org.groups.map((g) => ({
      id: g.id,
      name: g.name ?? null,
      idpGroup: g.idp_group,
      roles: g.roles,
    })),
    serviceAccounts: org.service_accounts.map((s) => ({
      id: s.id,
      name: s.name ?? null,
      teamId: s.team ?? null,
      roles: s.roles,
    })),
  };
  for (const bu of org.business_units) {
    snapshot.businessUnits.push({ id: bu.id, name: bu.name });
    for (const team of bu.teams) {
      snapshot.teams.push({ id: team.id, businessUnitId: bu.id, name: team.name });
      for (const member of team.members) {
        snapshot.users.push({
          id: member.email.toLowerCase(),
          email: member.email,
          name: member.name ?? null,
          teamId: team.id,
          businessUnitId: bu.id,
          roles: member.roles,
          groups: member.groups,
        });
      }
    }
  }
  return snapshot;
}
