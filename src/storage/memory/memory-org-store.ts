// In-memory OrgStore for unit tests; applies the same sync plan as the SQL adapters.

import { planOrgSync } from '../org-sync-plan.ts';
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

interface TenantState {
  tenant: TenantRecord;
  businessUnits: Map<string, BusinessUnitRecord>;
  teams: Map<string, TeamRecord>;
  users: Map<string, UserRecord>;
  groups: Map<string, GroupRecord>;
  serviceAccounts: Map<string, ServiceAccountRecord>;
}

// Copies in and out, so a caller mutating a record cannot change what is stored.
const copy = <T>(value: T): T => structuredClone(value);
const list = <T extends { id: string }>(rows: Map<string, T> | undefined): T[] =>
  rows ? [...rows.values()].map(copy).sort(byId) : [];

export class MemoryOrgStore implements OrgStore {
  readonly #tenants = new Map<TenantId, TenantState>();

  hasTenant(tenantId: TenantId): boolean {
    return this.#tenants.has(tenantId);
  }

  /** Runs `work` all-or-nothing: on failure every tenant is restored to its state before. */
  async atomically<T>(work: () => Promise<T>): Promise<T> {
    const before = copy(this.#tenants);
    try {
      return await work();
    } catch (error) {
      this.#tenants.clear();
      for (const [id, state] of before) this.#tenants.set(id, state);
      throw error;
    }
  }

  async sync(tenantId: TenantId, snapshot: OrgSnapshot, at: Date): Promise<OrgSyncResult> {
    const state = this.#tenants.get(tenantId);
    const plan = planOrgSync(tenantId, snapshot, {
      businessUnits: list(state?.businessUnits),
      teams: list(state?.teams),
      groups: list(state?.groups),
      users: list(state?.users),
      serviceAccounts: list(state?.serviceAccounts),
    });
    // The plan is computed before anything changes, so a validation error leaves the store untouched.
    const next = state ?? {
      tenant: { id: tenantId, name: snapshot.tenant.name, createdAt: new Date(at) },
      businessUnits: new Map(),
      teams: new Map(),
      users: new Map(),
      groups: new Map(),
      serviceAccounts: new Map(),
    };
    next.tenant.name = snapshot.tenant.name;
    apply(next.businessUnits, plan.upsertBusinessUnits, plan.deleteBusinessUnitIds);
    apply(next.teams, plan.upsertTeams, plan.deleteTeamIds);
    apply(next.groups, plan.upsertGroups, plan.deleteGroupIds);
    apply(next.users, plan.upsertUsers, []);
    apply(next.serviceAccounts, plan.upsertServiceAccounts, []);
    for (const id of plan.deprovisionUserIds) next.users.get(id)!.deprovisionedAt = new Date(at);
    for (const id of plan.deprovisionServiceAccountIds)
      next.serviceAccounts.get(id)!.deprovisionedAt = new Date(at);
    this.#tenants.set(tenantId, next);
    return plan.result;
  }

  async getTenant(tenantId: TenantId): Promise<TenantRecord | undefined> {
    const state = this.#tenants.get(tenantId);
    return state && copy(state.tenant);
  }

  async listTenants(): Promise<TenantRecord[]> {
    return [...this.#tenants.values()].map((s) => copy(s.tenant)).sort(byId);
  }

  async listBusinessUnits(tenantId: TenantId): Promise<BusinessUnitRecord[]> {
    return list(this.#tenants.get(tenantId)?.businessUnits);
  }

  async listTeams(tenantId: TenantId): Promise<TeamRecord[]> {
    return list(this.#tenants.get(tenantId)?.teams);
  }

  async getUser(tenantId: TenantId, id: string): Promise<UserRecord | undefined> {
    const user = this.#tenants.get(tenantId)?.users.get(id);
    return user && copy(user);
  }

  async listUsers(tenantId: TenantId): Promise<UserRecord[]> {
    return list(this.#tenants.get(tenantId)?.users);
  }

  async listGroups(tenantId: TenantId): Promise<GroupRecord[]> {
    return list(this.#tenants.get(tenantId)?.groups);
  }

  async getServiceAccount(tenantId: TenantId, id: string): Promise<ServiceAccountRecord | undefined> {
    const account = this.#tenants.get(tenantId)?.serviceAccounts.get(id);
    return account && copy(account);
  }

  async listServiceAccounts(tenantId: TenantId): Promise<ServiceAccountRecord[]> {
    return list(this.#tenants.get(tenantId)?.serviceAccounts);
  }
}

function apply<T extends { id: string }>(rows: Map<string, T>, upsert: T[], remove: string[]): void {
  for (const row of upsert) rows.set(row.id, copy(row));
  for (const id of remove) rows.delete(id);
}
