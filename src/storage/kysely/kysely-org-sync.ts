// Applies an org sync plan inside one SQL transaction, in batches, shared by SQLite and PostgreSQL.

import type { Kysely, Transaction } from 'kysely';
import { type ExistingOrg, type OrgSyncPlan, planOrgSync } from '../org-sync-plan.ts';
import type { OrgSnapshot, OrgSyncResult, TenantId } from '../ports.ts';
import {
  businessUnitFromRow,
  groupFromRow,
  serviceAccountFromRow,
  teamFromRow,
  toMillis,
  userFromRow,
} from './kysely-row-mappers.ts';
import type { StorageDatabase } from './kysely-schema.ts';

// Well under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters for the widest row (9 columns).
const BATCH = 500;

function* batches<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += BATCH) yield rows.slice(i, i + BATCH);
}

export async function loadExistingOrg(db: Kysely<StorageDatabase>, tenantId: TenantId): Promise<ExistingOrg> {
  const [businessUnits, teams, groups, users, serviceAccounts] = await Promise.all([
    db.selectFrom('business_units').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('teams').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('service_accounts').selectAll().where('tenant_id', '=', tenantId).execute(),
  ]);
  return {
    businessUnits: businessUnits.map(businessUnitFromRow),
    teams: teams.map(teamFromRow),
    groups: groups.map(groupFromRow),
    users: users.map(userFromRow),
    serviceAccounts: serviceAccounts.map(serviceAccountFromRow),
  };
}

export async function syncOrg(
  db: Kysely<StorageDatabase>,
  tenantId: TenantId,
  snapshot: OrgSnapshot,
  at: Date,
): Promise<OrgSyncResult> {
  return db.transaction().execute((trx) => syncOrgInTransaction(trx, tenantId, snapshot, at));
}

/** The sync itself, inside a transaction the caller owns (so a bundle publication can sync every tenant atomically). */
export async function syncOrgInTransaction(
  trx: Transaction<StorageDatabase>,
  tenantId: TenantId,
  snapshot: OrgSnapshot,
  at: Date,
): Promise<OrgSyncResult> {
  // Upserting the tenant first also row-locks it (PostgreSQL), so two syncs of one tenant serialize.
  await trx
    .insertInto('tenants')
    .values({ id: tenantId, name: snapshot.tenant.name, created_at: toMillis(at) })
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })))
    .execute();
  const plan = planOrgSync(tenantId, snapshot, await loadExistingOrg(trx, tenantId));
  await applyPlan(trx, tenantId, plan, toMillis(at));
  return plan.result;
}

async function applyPlan(
  trx: Transaction<StorageDatabase>,
  tenantId: TenantId,
  plan: OrgSyncPlan,
  at: number,
) {
  for (const rows of batches(plan.upsertBusinessUnits)) {
    await trx
      .insertInto('business_units')
      .values(rows.map((b) => ({ tenant_id: tenantId, id: b.id, name: b.name })))
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })),
      )
      .execute();
  }
  for (const rows of batches(plan.upsertTeams)) {
    await trx
      .insertInto('teams')
      .values(
        rows.map((t) => ({
          tenant_id: tenantId,
          id: t.id,
          business_unit_id: t.businessUnitId,
          name: t.name,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
          business_unit_id: eb.ref('excluded.business_unit_id'),
          name: eb.ref('excluded.name'),
        })),
      )
      .execute();
  }
  for (const rows of batches(plan.upsertGroups)) {
    await trx
      .insertInto('groups')
      .values(
        rows.map((g) => ({
          tenant_id: tenantId,
          id: g.id,
          name: g.name,
          idp_group: g.idpGroup,
          roles: JSON.stringify(g.roles),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          idp_group: eb.ref('excluded.idp_group'),
          roles: eb.ref('excluded.roles'),
        })),
      )
      .execute();
  }
  for (const rows of batches(plan.upsertUsers)) {
    await trx
      .insertInto('users')
      .values(
        rows.map((u) => ({
          tenant_id: tenantId,
          id: u.id,
          email: u.email,
          name: u.name,
          team_id: u.teamId,
          business_unit_id: u.businessUnitId,
          roles: JSON.stringify(u.roles),
          groups: JSON.stringify(u.groups),
          deprovisioned_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
          email: eb.ref('excluded.email'),
          name: eb.ref('excluded.name'),
          team_id: eb.ref('excluded.team_id'),
          business_unit_id: eb.ref('excluded.business_unit_id'),
          roles: eb.ref('excluded.roles'),
          groups: eb.ref('excluded.groups'),
          deprovisioned_at: null,
        })),
      )
      .execute();
  }
  for (const rows of batches(plan.upsertServiceAccounts)) {
    await trx
      .insertInto('service_accounts')
      .values(
        rows.map((s) => ({
          tenant_id: tenantId,
          id: s.id,
          name: s.name,
          team_id: s.teamId,
          roles: JSON.stringify(s.roles),
          deprovisioned_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          team_id: eb.ref('excluded.team_id'),
          roles: eb.ref('excluded.roles'),
          deprovisioned_at: null,
        })),
      )
      .execute();
  }
  for (const ids of batches(plan.deleteTeamIds)) {
    await trx.deleteFrom('teams').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  }
  for (const ids of batches(plan.deleteBusinessUnitIds)) {
    await trx.deleteFrom('business_units').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  }
  for (const ids of batches(plan.deleteGroupIds)) {
    await trx.deleteFrom('groups').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  }
  for (const ids of batches(plan.deprovisionUserIds)) {
    await trx
      .updateTable('users')
      .set({ deprovisioned_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .where('deprovisioned_at', 'is', null)
      .execute();
  }
  for (const ids of batches(plan.deprovisionServiceAccountIds)) {
    await trx
      .updateTable('service_accounts')
      .set({ deprovisioned_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .where('deprovisioned_at', 'is', null)
      .execute();
  }
}
