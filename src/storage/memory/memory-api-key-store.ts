// In-memory ApiKeyStore for unit tests, with the same constraints as the SQL tables (tenant must exist, unique digest).

import type { ApiKeyRecord, ApiKeyStore, PrincipalRef, TenantId } from '../ports.ts';
import { assertKeyTenant, duplicateApiKeyError, unknownTenantError } from '../storage-errors.ts';

const copy = <T>(value: T): T => structuredClone(value);
const slot = (tenantId: TenantId, id: string) => JSON.stringify([tenantId, id]);
const byCreation = (a: ApiKeyRecord, b: ApiKeyRecord) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class MemoryApiKeyStore implements ApiKeyStore {
  readonly #keys = new Map<string, ApiKeyRecord>();
  readonly #tenantExists: (tenantId: TenantId) => boolean;

  constructor(tenantExists: (tenantId: TenantId) => boolean) {
    this.#tenantExists = tenantExists;
  }

  async insert(key: ApiKeyRecord): Promise<void> {
    this.#checkInsert(key);
    this.#keys.set(slot(key.tenantId, key.id), copy(key));
  }

  async get(tenantId: TenantId, id: string): Promise<ApiKeyRecord | undefined> {
    const key = this.#keys.get(slot(tenantId, id));
    return key && copy(key);
  }

  async list(tenantId: TenantId, filter: { principal?: PrincipalRef } = {}): Promise<ApiKeyRecord[]> {
    const { principal } = filter;
    return [...this.#keys.values()]
      .filter((k) => k.tenantId === tenantId)
      .filter((k) => !principal || (k.principal.type === principal.type && k.principal.id === principal.id))
      .sort(byCreation)
      .map(copy);
  }

  async findForAuthentication(id: string): Promise<ApiKeyRecord | undefined> {
    // Same tie-break as SQL when two tenants happen to share a public id: oldest first, then tenant id.
    const match = [...this.#keys.values()]
      .filter((k) => k.id === id)
      .sort((a, b) => byCreation(a, b) || (a.tenantId < b.tenantId ? -1 : 1))[0];
    return match && copy(match);
  }

  async touchLastUsed(tenantId: TenantId, id: string, at: Date): Promise<void> {
    const key = this.#keys.get(slot(tenantId, id));
    // Never moves backwards: concurrent requests may report their use out of order.
    if (key && (key.lastUsedAt === null || key.lastUsedAt < at)) key.lastUsedAt = new Date(at);
  }

  async revoke(tenantId: TenantId, id: string, at: Date): Promise<boolean> {
    const key = this.#keys.get(slot(tenantId, id));
    if (!key) return false;
    key.revokedAt ??= new Date(at);
    return true;
  }

  async rotate(
    tenantId: TenantId,
    oldId: string,
    successor: ApiKeyRecord,
    graceUntil: Date,
  ): Promise<boolean> {
    assertKeyTenant(tenantId, successor);
    const old = this.#keys.get(slot(tenantId, oldId));
    if (!old || old.revokedAt !== null || old.replacedBy !== null) return false;
    this.#checkInsert(successor);
    this.#keys.set(slot(tenantId, successor.id), copy(successor));
    old.replacedBy = successor.id;
    old.graceUntil = new Date(graceUntil);
    return true;
  }

  #checkInsert(key: ApiKeyRecord): void {
    if (!this.#tenantExists(key.tenantId)) throw unknownTenantError(key.tenantId);
    const taken = [...this.#keys.values()].some(
      (k) => (k.tenantId === key.tenantId && k.id === key.id) || k.digest === key.digest,
    );
    if (taken) throw duplicateApiKeyError(key);
  }
}
