// BudgetStore over Kysely. Counter rows are locked in key order (PostgreSQL: FOR UPDATE; SQLite: the
// IMMEDIATE write lock), so concurrent reservations from any number of instances serialize per counter
// and never deadlock.
import { type Kysely, sql, type Transaction } from 'kysely';
import type {
  BudgetCharge,
  BudgetCounterRef,
  BudgetReservation,
  BudgetStanding,
  BudgetStore,
  ReserveResult,
} from '../budget-port.ts';
import type { TenantId } from '../ports.ts';
import { toMillis } from './kysely-row-mappers.ts';
import type { StorageDatabase } from './kysely-schema.ts';
import type { SqlDialectTraits } from './sql-dialect-traits.ts';

type Trx = Transaction<StorageDatabase>;

const byCounter = (a: BudgetCounterRef, b: BudgetCounterRef) =>
  a.key === b.key ? a.periodStart.getTime() - b.periodStart.getTime() : a.key < b.key ? -1 : 1;

export class KyselyBudgetStore implements BudgetStore {
  readonly #db: Kysely<StorageDatabase>;
  readonly #traits: SqlDialectTraits;

  constructor(db: Kysely<StorageDatabase>, traits: SqlDialectTraits) {
    this.#db = db;
    this.#traits = traits;
  }

  reserve(r: BudgetReservation): Promise<ReserveResult> {
    return this.#db.transaction().execute(async (trx) => {
      const standings: BudgetStanding[] = [];
      for (const charge of [...r.charges].sort(byCounter)) {
        standings.push(await this.#lock(trx, r.tenantId, charge, r.now));
      }
      const exceeded = standings.find((s) => s.spentMicro + s.reservedMicro + r.amountMicro > s.limitMicro);
      if (exceeded) return { ok: false, exceeded, standings };
      for (const s of standings) {
        await trx
          .updateTable('budget_counters')
          .set({ reserved_micro: sql<number>`reserved_micro + ${r.amountMicro}` })
          .where('tenant_id', '=', r.tenantId)
          .where('budget_key', '=', s.key)
          .where('period_start', '=', toMillis(s.periodStart))
          .execute();
        s.reservedMicro += r.amountMicro;
      }
      if (standings.length > 0) {
        await trx
          .insertInto('budget_reservations')
          .values(
            standings.map((s) => ({
              tenant_id: r.tenantId,
              request_id: r.requestId,
              budget_key: s.key,
              period_start: toMillis(s.periodStart),
              amount_micro: r.amountMicro,
              lease_until: toMillis(r.leaseUntil),
            })),
          )
          .execute();
      }
      return { ok: true, standings };
    });
  }

  settle(
    tenantId: TenantId,
    requestId: string,
    counters: readonly BudgetCounterRef[],
    actualMicro: number,
    now: Date,
  ): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const first = await trx
        .insertInto('budget_settlements')
        .values({ tenant_id: tenantId, request_id: requestId, settled_at: toMillis(now) })
        .onConflict((oc) => oc.columns(['tenant_id', 'request_id']).doNothing())
        .executeTakeFirst();
      if (Number(first.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      const holds = await trx
        .selectFrom('budget_reservations')
        .select(['budget_key', 'period_start', 'amount_micro'])
        .where('tenant_id', '=', tenantId)
        .where('request_id', '=', requestId)
        .execute();
      for (const counter of [...counters].sort(byCounter)) {
        await this.#ensureCounter(trx, tenantId, counter);
        const hold = holds.find(
          (h) => h.budget_key === counter.key && Number(h.period_start) === counter.periodStart.getTime(),
        );
        const release = hold ? Number(hold.amount_micro) : 0;
        await trx
          .updateTable('budget_counters')
          .set({
            spent_micro: sql<number>`spent_micro + ${actualMicro}`,
            reserved_micro: sql<number>`reserved_micro - ${release}`,
          })
          .where('tenant_id', '=', tenantId)
          .where('budget_key', '=', counter.key)
          .where('period_start', '=', toMillis(counter.periodStart))
          .execute();
      }
      await trx
        .deleteFrom('budget_reservations')
        .where('tenant_id', '=', tenantId)
        .where('request_id', '=', requestId)
        .execute();
      return true;
    });
  }

  async markThreshold(
    tenantId: TenantId,
    counter: BudgetCounterRef,
    threshold: number,
    at: Date,
  ): Promise<boolean> {
    const result = await this.#db
      .insertInto('budget_thresholds')
      .values({
        tenant_id: tenantId,
        budget_key: counter.key,
        period_start: toMillis(counter.periodStart),
        threshold,
        passed_at: toMillis(at),
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'budget_key', 'period_start', 'threshold']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async standings(
    tenantId: TenantId,
    charges: readonly BudgetCharge[],
    _now: Date,
  ): Promise<BudgetStanding[]> {
    const out: BudgetStanding[] = [];
    for (const charge of charges) {
      const row = await this.#db
        .selectFrom('budget_counters')
        .select(['spent_micro', 'reserved_micro'])
        .where('tenant_id', '=', tenantId)
        .where('budget_key', '=', charge.key)
        .where('period_start', '=', toMillis(charge.periodStart))
        .executeTakeFirst();
      out.push({
        ...charge,
        spentMicro: Number(row?.spent_micro ?? 0),
        reservedMicro: Number(row?.reserved_micro ?? 0),
      });
    }
    return out;
  }

  async #ensureCounter(trx: Trx, tenantId: TenantId, counter: BudgetCounterRef): Promise<void> {
    await trx
      .insertInto('budget_counters')
      .values({
        tenant_id: tenantId,
        budget_key: counter.key,
        period_start: toMillis(counter.periodStart),
        spent_micro: 0,
        reserved_micro: 0,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'budget_key', 'period_start']).doNothing())
      .execute();
  }

  /** Locks the counter (creating it at zero), first releasing holds whose lease has run out. */
  async #lock(trx: Trx, tenantId: TenantId, charge: BudgetCharge, now: Date): Promise<BudgetStanding> {
    await this.#ensureCounter(trx, tenantId, charge);
    const period = toMillis(charge.periodStart);
    const row = await trx
      .selectFrom('budget_counters')
      .select(['spent_micro', 'reserved_micro'])
      .where('tenant_id', '=', tenantId)
      .where('budget_key', '=', charge.key)
      .where('period_start', '=', period)
      .$if(this.#traits.supportsForUpdate, (q) => q.forUpdate())
      .executeTakeFirstOrThrow();
    let reserved = Number(row.reserved_micro);
    const expired = await trx
      .selectFrom('budget_reservations')
      .select(['request_id', 'amount_micro'])
      .where('tenant_id', '=', tenantId)
      .where('budget_key', '=', charge.key)
      .where('period_start', '=', period)
      .where('lease_until', '<', toMillis(now))
      .execute();
    if (expired.length > 0) {
      const released = expired.reduce((sum, h) => sum + Number(h.amount_micro), 0);
      await trx
        .deleteFrom('budget_reservations')
        .where('tenant_id', '=', tenantId)
        .where('budget_key', '=', charge.key)
        .where('period_start', '=', period)
        .where('lease_until', '<', toMillis(now))
        .execute();
      reserved -= released;
      await trx
        .updateTable('budget_counters')
        .set({ reserved_micro: reserved })
        .where('tenant_id', '=', tenantId)
        .where('budget_key', '=', charge.key)
        .where('period_start', '=', period)
        .execute();
    }
    return { ...charge, spentMicro: Number(row.spent_micro), reservedMicro: reserved };
  }
}
