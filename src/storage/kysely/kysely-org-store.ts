// OrgStore over Kysely, shared by SQLite and PostgreSQL; every query is filtered by the tenant it is given.

import type { Kysely } from 'kysely';
import type {
  BusinessUnitRecord,
  GroupRecord,
  OrgSnapshot,
  OrgStore,
  OrgSyncResult,
  ServiceAccountRecord,
  TeamRecord,
  TenantId,
  TenantRecord,
  UserRecord,
} from '../ports.ts';
import { byId } from '../storage-errors.ts';
import { syncOrg } from './kysely-org-sync.ts';
import {
  businessUnitFromRow,
  groupFromRow,
  serviceAccountFromRow,
  teamFromRow,
  tenantFromRow,
  userFromRow,
} from './kysely-row-mappers.ts';
import type { StorageDatabase } from './kysely-schema.ts';

export class KyselyOrgStore implements OrgStore {
  readonly #db: Kysely<StorageDatabase>;

  constructor(db: Kysely<StorageDatabase>) {
    this.#db = db;
  }

  sync(tenantId: TenantId, snapshot: OrgSnapshot, at: Date): Promise<OrgSyncResult> {
    return syncOrg(this.#db, tenantId, snapshot, at);
  }

  async getTenant(tenantId: TenantId): Promise<TenantRecord | undefined> {
    const row = await this.#db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', tenantId)
      .executeTakeFirst();
    return row && tenantFromRow(row);
  }

  async listTenants(): Promise<TenantRecord[]> {
    const rows = await this.#db.selectFrom('tenants').selectAll().execute();
    return rows.map(tenantFromRow).sort(byId);
  }

  async listBusinessUnits(tenantId: TenantId): Promise<BusinessUnitRecord[]> {
    const rows = await this.#db
      .selectFrom('business_units')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .execute();
    return rows.map(businessUnitFromRow).sort(byId);
  }

  async listTeams(tenantId: TenantId): Promise<TeamRecord[]> {
    const rows = await this.#db.selectFrom('teams').selectAll().where('tenant_id', '=', tenantId).execute();
    return rows.map(teamFromRow).sort(byId);
  }

  async getUser(tenantId: TenantId, id: string): Promise<UserRecord | undefined> {
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && userFromRow(row);
  }

  async listUsers(tenantId: TenantId): Promise<UserRecord[]> {
    const rows = await this.#db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).execute();
    return rows.map(userFromRow).sort(byId);
  }

  async listGroups(tenantId: TenantId): Promise<GroupRecord[]> {
    const rows = await this.#db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).execute();
    return rows.map(groupFromRow).sort(byId);
  }

  async getServiceAccount(tenantId: TenantId, id: string): Promise<ServiceAccountRecord | undefined> {
    const row = await this.#db
      .selectFrom('service_accounts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && serviceAccountFromRow(row);
  }

  async listServiceAccounts(tenantId: TenantId): Promise<ServiceAccountRecord[]> {
    const rows = await this.#db
      .selectFrom('service_accounts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .execute();
    return rows.map(serviceAccountFromRow).sort(byId);
  }
}
