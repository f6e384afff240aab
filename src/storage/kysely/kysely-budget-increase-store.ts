// BudgetIncreaseStore over Kysely, shared by SQLite and PostgreSQL. A decision is a conditional UPDATE on a
// pending row, so two approvers racing (on any instances) decide it once.
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import {
  type ApprovedIncrease,
  type BudgetIncrease,
  type BudgetIncreaseDecision,
  type BudgetIncreaseRequest,
  type BudgetIncreaseStatus,
  type BudgetIncreaseStore,
  sumApproved,
} from '../budget-increase-port.ts';
import type { TenantId } from '../ports.ts';
import { toDate, toMillis, toNullableDate } from './kysely-row-mappers.ts';
import type { BudgetIncreasesTable, StorageDatabase } from './kysely-schema.ts';

export class KyselyBudgetIncreaseStore implements BudgetIncreaseStore {
  readonly #db: Kysely<StorageDatabase>;

  constructor(db: Kysely<StorageDatabase>) {
    this.#db = db;
  }

  async request(r: BudgetIncreaseRequest): Promise<BudgetIncrease> {
    const id = `inc_${randomBytes(6).toString('hex')}`;
    const row = await this.#db
      .insertInto('budget_increases')
      .values({
        tenant_id: r.tenantId,
        id,
        budget_id: r.budgetId,
        counter_key: r.counterKey,
        period_start: toMillis(r.periodStart),
        amount_micro: r.amountMicro,
        reason: r.reason,
        requested_by: r.requestedBy,
        requested_at: toMillis(r.at),
        status: 'pending',
        decided_by: null,
        decided_at: null,
        expires_at: null,
        note: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return fromRow(row);
  }

  async decide(
    tenantId: TenantId,
    id: string,
    d: BudgetIncreaseDecision,
  ): Promise<BudgetIncrease | undefined> {
    await this.#db
      .updateTable('budget_increases')
      .set({
        status: d.status,
        decided_by: d.by,
        decided_at: toMillis(d.at),
        expires_at: d.status === 'approved' && d.expiresAt ? toMillis(d.expiresAt) : null,
        note: d.note ?? null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    return this.get(tenantId, id);
  }

  async get(tenantId: TenantId, id: string): Promise<BudgetIncrease | undefined> {
    const row = await this.#db
      .selectFrom('budget_increases')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async list(
    tenantId: TenantId,
    filter: { status?: BudgetIncreaseStatus; budgetId?: string } = {},
  ): Promise<BudgetIncrease[]> {
    let query = this.#db.selectFrom('budget_increases').selectAll().where('tenant_id', '=', tenantId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.budgetId) query = query.where('budget_id', '=', filter.budgetId);
    const rows = await query.orderBy('requested_at', 'desc').orderBy('id').execute();
    return rows.map(fromRow);
  }

  async approved(tenantId: TenantId, now: Date): Promise<ApprovedIncrease[]> {
    const rows = await this.#db
      .selectFrom('budget_increases')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'approved')
      .where('expires_at', '>', toMillis(now))
      .execute();
    return sumApproved(rows.map(fromRow), now);
  }
}

function fromRow(row: Selectable<BudgetIncreasesTable>): BudgetIncrease {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    budgetId: row.budget_id,
    counterKey: row.counter_key,
    periodStart: toDate(row.period_start),
    amountMicro: Number(row.amount_micro),
    reason: row.reason,
    requestedBy: row.requested_by,
    at: toDate(row.requested_at),
    status: row.status as BudgetIncreaseStatus,
    decidedBy: row.decided_by,
    decidedAt: toNullableDate(row.decided_at),
    expiresAt: toNullableDate(row.expires_at),
    note: row.note,
  };
}
