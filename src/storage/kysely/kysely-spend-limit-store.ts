// SpendLimitStore over Kysely, shared by SQLite and PostgreSQL. Setting a limit is one upsert on the
// (tenant, user, period) key, so two admins setting the same limit at once leave one row, one id.
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { TenantId } from '../ports.ts';
import type {
  SpendLimitPeriod,
  SpendLimitRecord,
  SpendLimitStore,
  SpendLimitWrite,
} from '../spend-limit-port.ts';
import { toDate, toMillis } from './kysely-row-mappers.ts';
import type { SpendLimitsTable, StorageDatabase } from './kysely-schema.ts';

export class KyselySpendLimitStore implements SpendLimitStore {
  readonly #db: Kysely<StorageDatabase>;

  constructor(db: Kysely<StorageDatabase>) {
    this.#db = db;
  }

  async upsert(w: SpendLimitWrite) {
    return this.#db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('spend_limits')
        .selectAll()
        .where('tenant_id', '=', w.tenantId)
        .where('user_id', '=', w.userId)
        .where('period', '=', w.period)
        .executeTakeFirst();
      const row = await trx
        .insertInto('spend_limits')
        .values({
          tenant_id: w.tenantId,
          id: `spl_${randomBytes(12).toString('hex')}`,
          user_id: w.userId,
          period: w.period,
          amount_cents: w.amountCents,
          created_at: toMillis(w.at),
          updated_at: toMillis(w.at),
          updated_by: w.by,
        })
        .onConflict((c) =>
          c.columns(['tenant_id', 'user_id', 'period']).doUpdateSet({
            amount_cents: w.amountCents,
            updated_at: toMillis(w.at),
            updated_by: w.by,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return { limit: fromRow(row), before: existing && fromRow(existing) };
    });
  }

  async get(tenantId: TenantId, id: string): Promise<SpendLimitRecord | undefined> {
    const row = await this.#db
      .selectFrom('spend_limits')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async list(tenantId: TenantId): Promise<SpendLimitRecord[]> {
    const rows = await this.#db
      .selectFrom('spend_limits')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('user_id')
      .orderBy('period')
      .execute();
    return rows.map(fromRow);
  }

  async delete(tenantId: TenantId, id: string): Promise<SpendLimitRecord | undefined> {
    const row = await this.#db
      .deleteFrom('spend_limits')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && fromRow(row);
  }
}

function fromRow(row: Selectable<SpendLimitsTable>): SpendLimitRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    userId: row.user_id,
    period: row.period as SpendLimitPeriod,
    amountCents: row.amount_cents === null ? null : Number(row.amount_cents),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    updatedBy: row.updated_by,
  };
}
