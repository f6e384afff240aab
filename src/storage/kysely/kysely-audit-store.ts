// AuditStore over Kysely, shared by SQLite and PostgreSQL: appends and retention lock the tenant's head row.

import type { Kysely, Transaction } from 'kysely';
import {
  type AuditChainPoint,
  chainEntriesForStorage,
  GENESIS_HASH,
} from '../../core/audit-chain/audit-record.ts';
import { assertAuditQuery } from '../audit-query.ts';
import { sha256Hex } from '../audit-sha256.ts';
import type { AuditCheckpoint, AuditEntry, AuditQuery, AuditRecord, AuditStore, TenantId } from '../ports.ts';
import { auditCheckpointFromRow, auditRecordFromRow, auditRecordToRow } from './kysely-audit-rows.ts';
import { toMillis } from './kysely-row-mappers.ts';
import type { StorageDatabase } from './kysely-schema.ts';
import type { SqlDialectTraits } from './sql-dialect-traits.ts';

/** Rows per INSERT: 11 columns each stays far below SQLite's and PostgreSQL's bind-parameter limits. */
const INSERT_CHUNK = 500;

type Trx = Transaction<StorageDatabase>;

export class KyselyAuditStore implements AuditStore {
  readonly #db: Kysely<StorageDatabase>;
  readonly #traits: SqlDialectTraits;

  constructor(db: Kysely<StorageDatabase>, traits: SqlDialectTraits) {
    this.#db = db;
    this.#traits = traits;
  }

  async append(tenantId: TenantId, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return [];
    return this.#db.transaction().execute(async (trx) => {
      const head = (await this.#lockHead(trx, tenantId, true))!;
      const chained = chainEntriesForStorage(tenantId, head, entries, sha256Hex);
      for (let i = 0; i < chained.length; i += INSERT_CHUNK) {
        await trx
          .insertInto('audit_records')
          .values(chained.slice(i, i + INSERT_CHUNK).map((c) => auditRecordToRow(c.record, c.contextJson)))
          .execute();
      }
      const records = chained.map((c) => c.record);
      const last = records.at(-1)!;
      await trx
        .updateTable('audit_heads')
        .set({ seq: last.seq, hash: last.hash })
        .where('tenant_id', '=', tenantId)
        .execute();
      return records;
    });
  }

  async list(tenantId: TenantId, query: AuditQuery = {}): Promise<AuditRecord[]> {
    assertAuditQuery(query);
    const { since, until, afterSeq, event, limit } = query;
    const rows = await this.#db
      .selectFrom('audit_records')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .$if(since !== undefined, (q) => q.where('timestamp', '>=', toMillis(since!)))
      .$if(until !== undefined, (q) => q.where('timestamp', '<', toMillis(until!)))
      .$if(afterSeq !== undefined, (q) => q.where('seq', '>', afterSeq!))
      .$if(event !== undefined, (q) => q.where('event', '=', event!))
      .orderBy('seq')
      .$if(limit !== undefined, (q) => q.limit(limit!))
      .execute();
    return rows.map(auditRecordFromRow);
  }

  async head(tenantId: TenantId): Promise<AuditChainPoint | undefined> {
    const row = await this.#db
      .selectFrom('audit_heads')
      .select(['seq', 'hash'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row && { seq: Number(row.seq), hash: row.hash };
  }

  async checkpoints(tenantId: TenantId): Promise<AuditCheckpoint[]> {
    const rows = await this.#db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('seq')
      .execute();
    return rows.map(auditCheckpointFromRow);
  }

  async deleteBefore(tenantId: TenantId, before: Date, at = new Date()): Promise<number> {
    const beforeMs = toMillis(before);
    return this.#db.transaction().execute(async (trx) => {
      // Locking the head serializes retention with appends, so the checkpoint is never behind a concurrent write.
      if (!(await this.#lockHead(trx, tenantId, false))) return 0;
      const firstKept = await trx
        .selectFrom('audit_records')
        .select('seq')
        .where('tenant_id', '=', tenantId)
        .where('timestamp', '>=', beforeMs)
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      const lastRemoved = await trx
        .selectFrom('audit_records')
        .select(['seq', 'hash'])
        .where('tenant_id', '=', tenantId)
        .$if(firstKept !== undefined, (q) => q.where('seq', '<', Number(firstKept!.seq)))
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!lastRemoved) return 0;
      const deleted = await trx
        .deleteFrom('audit_records')
        .where('tenant_id', '=', tenantId)
        .where('seq', '<=', Number(lastRemoved.seq))
        .executeTakeFirst();
      const removed = Number(deleted.numDeletedRows);
      await trx
        .insertInto('audit_checkpoints')
        .values({
          tenant_id: tenantId,
          seq: Number(lastRemoved.seq),
          hash: lastRemoved.hash,
          created_at: toMillis(at),
          removed,
        })
        .execute();
      return removed;
    });
  }

  async tenants(): Promise<TenantId[]> {
    const rows = await this.#db.selectFrom('audit_heads').select('tenant_id').execute();
    // Sorted here, not by the database collation, so every adapter returns one order.
    return rows.map((r) => r.tenant_id).sort();
  }

  /**
   * Locks the tenant's head row (PostgreSQL: FOR UPDATE; SQLite: the IMMEDIATE write lock is already
   * held) and returns it; with `create`, a missing head is first created at the genesis.
   */
  async #lockHead(trx: Trx, tenantId: TenantId, create: boolean): Promise<AuditChainPoint | undefined> {
    const select = () =>
      trx
        .selectFrom('audit_heads')
        .select(['seq', 'hash'])
        .where('tenant_id', '=', tenantId)
        .$if(this.#traits.supportsForUpdate, (q) => q.forUpdate())
        .executeTakeFirst();
    let row = await select();
    if (!row && create) {
      // Two first appenders race here: ON CONFLICT makes the loser wait for the winner, then lock its row.
      await trx
        .insertInto('audit_heads')
        .values({ tenant_id: tenantId, seq: 0, hash: GENESIS_HASH })
        .onConflict((oc) => oc.column('tenant_id').doNothing())
        .execute();
      row = await select();
    }
    return row && { seq: Number(row.seq), hash: row.hash };
  }
}
