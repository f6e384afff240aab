// ApiKeyStore over Kysely, shared by SQLite and PostgreSQL; all but the authentication lookup filter by tenant.

import type { Kysely } from 'kysely';
import type { ApiKeyRecord, ApiKeyStore, PrincipalRef, TenantId } from '../ports.ts';
import { assertKeyTenant, duplicateApiKeyError, unknownTenantError } from '../storage-errors.ts';
import { apiKeyFromRow, apiKeyToRow, toMillis } from './kysely-row-mappers.ts';
import type { StorageDatabase } from './kysely-schema.ts';
import type { SqlDialectTraits } from './sql-dialect-traits.ts';

export class KyselyApiKeyStore implements ApiKeyStore {
  readonly #db: Kysely<StorageDatabase>;
  readonly #traits: SqlDialectTraits;

  constructor(db: Kysely<StorageDatabase>, traits: SqlDialectTraits) {
    this.#db = db;
    this.#traits = traits;
  }

  async insert(key: ApiKeyRecord): Promise<void> {
    await this.#insert(this.#db, key);
  }

  async get(tenantId: TenantId, id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && apiKeyFromRow(row);
  }

  async list(tenantId: TenantId, filter: { principal?: PrincipalRef } = {}): Promise<ApiKeyRecord[]> {
    const { principal } = filter;
    const rows = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .$if(principal !== undefined, (q) =>
        q.where('principal_type', '=', principal!.type).where('principal_id', '=', principal!.id),
      )
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(apiKeyFromRow);
  }

  async findForAuthentication(id: string): Promise<ApiKeyRecord | undefined> {
    // Public ids are random, so two tenants sharing one is unlikely; the order makes the answer deterministic.
    const row = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .orderBy('created_at')
      .orderBy('tenant_id')
      .limit(1)
      .executeTakeFirst();
    return row && apiKeyFromRow(row);
  }

  async touchLastUsed(tenantId: TenantId, id: string, at: Date): Promise<void> {
    // Never moves backwards: concurrent requests may report their use out of order.
    await this.#db
      .updateTable('api_keys')
      .set({ last_used_at: toMillis(at) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', toMillis(at))]))
      .execute();
  }

  async revoke(tenantId: TenantId, id: string, at: Date): Promise<boolean> {
    // Revoking twice keeps the first revocation time.
    const result = await this.#db
      .updateTable('api_keys')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(toMillis(at))).$castTo<number>() }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async rotate(
    tenantId: TenantId,
    oldId: string,
    successor: ApiKeyRecord,
    graceUntil: Date,
  ): Promise<boolean> {
    assertKeyTenant(tenantId, successor);
    return this.#db.transaction().execute(async (trx) => {
      // The guarded update is the lock: of two concurrent rotations of one key, only one can win.
      const marked = await trx
        .updateTable('api_keys')
        .set({ replaced_by: successor.id, grace_until: toMillis(graceUntil) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', oldId)
        .where('replaced_by', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (marked.numUpdatedRows === 0n) return false;
      await this.#insert(trx, successor);
      return true;
    });
  }

  async #insert(db: Kysely<StorageDatabase>, key: ApiKeyRecord): Promise<void> {
    try {
      await db.insertInto('api_keys').values(apiKeyToRow(key)).execute();
    } catch (error) {
      if (this.#traits.isUniqueViolation(error)) throw duplicateApiKeyError(key);
      if (this.#traits.isForeignKeyViolation(error)) throw unknownTenantError(key.tenantId);
      throw error;
    }
  }
}
