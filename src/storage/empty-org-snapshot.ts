// Empty orgs: for a tenant that declares none, and for tenants a publication no longer declares, whose
// people are then deprovisioned (never deleted) in the same transaction that activates the bundle.
import type { OrgSnapshot } from './ports.ts';

export function emptyOrgSnapshot(tenant: { id: string; name: string }): OrgSnapshot {
  return {
    tenant: { id: tenant.id, name: tenant.name },
    businessUnits: [],
    teams: [],
    users: [],
    groups: [],
    serviceAccounts: [],
  };
}

export function emptySnapshotsForMissingTenants(
  declared: readonly OrgSnapshot[],
  known: readonly { id: string; name: string }[],
): OrgSnapshot[] {
  const ids = new Set(declared.map((s) => s.tenant.id));
  return known.filter((tenant) => !ids.has(tenant.id)).map(emptyOrgSnapshot);
}
