// Works out what `org.sync` must change, as a pure diff, so every adapter applies identical semantics.

import { ValidationError } from '../core/errors/app-error.ts';
import type {
  BusinessUnitRecord,
  GroupRecord,
  OrgSnapshot,
  OrgSyncResult,
  ServiceAccountRecord,
  TeamRecord,
  TenantId,
  UserRecord,
} from './ports.ts';

export interface ExistingOrg {
  businessUnits: BusinessUnitRecord[];
  teams: TeamRecord[];
  groups: GroupRecord[];
  users: UserRecord[];
  serviceAccounts: ServiceAccountRecord[];
}

/** Rows to write (new or changed only) and ids to delete or deprovision. */
export interface OrgSyncPlan {
  upsertBusinessUnits: BusinessUnitRecord[];
  deleteBusinessUnitIds: string[];
  upsertTeams: TeamRecord[];
  deleteTeamIds: string[];
  upsertGroups: GroupRecord[];
  deleteGroupIds: string[];
  upsertUsers: UserRecord[];
  deprovisionUserIds: string[];
  upsertServiceAccounts: ServiceAccountRecord[];
  deprovisionServiceAccountIds: string[];
  result: OrgSyncResult;
}

interface Diff<T> {
  upsert: T[];
  gone: T[];
  added: number;
  changed: number;
}

function diffById<T extends { id: string }>(existing: T[], desired: T[], what: string): Diff<T> {
  const before = new Map(existing.map((row) => [row.id, row]));
  const seen = new Set<string>();
  const diff: Diff<T> = { upsert: [], gone: [], added: 0, changed: 0 };
  for (const row of desired) {
    if (seen.has(row.id)) {
      throw new ValidationError(`The org snapshot lists ${what} '${row.id}' twice.`, { field: what });
    }
    seen.add(row.id);
    const old = before.get(row.id);
    if (old === undefined) {
      diff.upsert.push(row);
      diff.added++;
    } else if (!sameRecord(old, row)) {
      diff.upsert.push(row);
      diff.changed++;
    }
  }
  diff.gone = existing.filter((row) => !seen.has(row.id));
  return diff;
}

// Records hold only strings, nulls, string arrays and Dates, so a JSON comparison is exact.
function sameRecord(a: object, b: object): boolean {
  return JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(b).sort());
}

export function planOrgSync(tenantId: TenantId, snapshot: OrgSnapshot, existing: ExistingOrg): OrgSyncPlan {
  if (snapshot.tenant.id !== tenantId) {
    throw new ValidationError(`The org snapshot is for tenant '${snapshot.tenant.id}', not '${tenantId}'.`, {
      field: 'tenant.id',
    });
  }
  const businessUnits = diffById(
    existing.businessUnits,
    snapshot.businessUnits.map((b) => ({ tenantId, id: b.id, name: b.name })),
    'business unit',
  );
  const teams = diffById(
    existing.teams,
    snapshot.teams.map((t) => ({ tenantId, id: t.id, businessUnitId: t.businessUnitId, name: t.name })),
    'team',
  );
  const groups = diffById(
    existing.groups,
    snapshot.groups.map((g) => ({
      tenantId,
      id: g.id,
      name: g.name,
      idpGroup: g.idpGroup,
      roles: [...g.roles],
    })),
    'group',
  );
  const users = diffById(
    existing.users,
    snapshot.users.map(
      (u): UserRecord => ({
        tenantId,
        id: u.id,
        email: u.email,
        name: u.name,
        teamId: u.teamId,
        businessUnitId: u.businessUnitId,
        roles: [...u.roles],
        groups: [...u.groups],
        deprovisionedAt: null,
      }),
    ),
    'user',
  );
  const serviceAccounts = diffById(
    existing.serviceAccounts,
    snapshot.serviceAccounts.map(
      (s): ServiceAccountRecord => ({
        tenantId,
        id: s.id,
        name: s.name,
        teamId: s.teamId,
        roles: [...s.roles],
        deprovisionedAt: null,
      }),
    ),
    'service account',
  );
  // Already-deprovisioned rows keep their original date: deprovisioning is not repeated.
  const stillActive = (row: { deprovisionedAt: Date | null }) => row.deprovisionedAt === null;
  const deprovisionUserIds = users.gone.filter(stillActive).map((u) => u.id);
  return {
    upsertBusinessUnits: businessUnits.upsert,
    deleteBusinessUnitIds: businessUnits.gone.map((b) => b.id),
    upsertTeams: teams.upsert,
    deleteTeamIds: teams.gone.map((t) => t.id),
    upsertGroups: groups.upsert,
    deleteGroupIds: groups.gone.map((g) => g.id),
    upsertUsers: users.upsert,
    deprovisionUserIds,
    upsertServiceAccounts: serviceAccounts.upsert,
    deprovisionServiceAccountIds: serviceAccounts.gone.filter(stillActive).map((s) => s.id),
    result: {
      usersAdded: users.added,
      usersUpdated: users.changed,
      usersDeprovisioned: deprovisionUserIds.length,
    },
  };
}
