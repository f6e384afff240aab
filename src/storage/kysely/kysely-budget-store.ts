// BudgetStore over Kysely. Counter rows are locked in key order (PostgreSQL: FOR UPDATE; SQLite: the
// IMMEDIATE write lock), so concurrent reservations from any number of instances serialize per counter
// and never deadlock.
import type { Insertable, Kysely, Transaction } from 'kysely';
import type {
  BudgetCharge,
  BudgetCounterRef,
  BudgetDrawDown,
  BudgetReservation,
  BudgetSettlement,
  BudgetStanding,
  BudgetStore,
  DrawDownResult,
  ReserveResult,
} from '../budget-port.ts';
import type { TenantId } from '../ports.ts';
import { toMillis } from './kysely-row-mappers.ts';
import type { BudgetReservationsTable, StorageDatabase } from './kysely-schema.ts';
import type { SqlDialectTraits } from './sql-dialect-traits.ts';

type Trx = Transaction<StorageDatabase>;

/** Rows per INSERT of holds: 6 columns each stays far below the bind-parameter limits. */
const INSERT_CHUNK = 500;

interface LockedCounter {
  tenantId: TenantId;
  key: string;
  periodStart: Date;
  spent: number;
  reserved: number;
  spentBefore: number;
  reservedBefore: number;
}

/** Sorts as the lock order: tenant, key, then period (zero-padded, so text order is time order). */
function counterId(tenantId: TenantId, ref: BudgetCounterRef): string {
  return `${tenantId}\u0000${ref.key}\u0000${String(ref.periodStart.getTime()).padStart(16, '0')}`;
}

export class KyselyBudgetStore implements BudgetStore {
  readonly #db: Kysely<StorageDatabase>;
  readonly #traits: SqlDialectTraits;

  constructor(db: Kysely<StorageDatabase>, traits: SqlDialectTraits) {
    this.#db = db;
    this.#traits = traits;
  }

  async reserve(r: BudgetReservation): Promise<ReserveResult> {
    return (await this.reserveMany([r]))[0]!;
  }

  async settle(
    tenantId: TenantId,
    requestId: string,
    counters: readonly BudgetCounterRef[],
    actualMicro: number,
    now: Date,
  ): Promise<boolean> {
    return (await this.settleMany([{ tenantId, requestId, counters, actualMicro, now }]))[0]!;
  }

  reserveMany(reservations: readonly BudgetReservation[]): Promise<ReserveResult[]> {
    if (reservations.length === 0) return Promise.resolve([]);
    return this.#db.transaction().execute(async (trx) => {
      // Every counter of the batch is locked first, in one global order, so batches never deadlock.
      const state = await this.#lockAll(
        trx,
        reservations.flatMap((r) => r.charges.map((c) => ({ tenantId: r.tenantId, ...c }))),
        reservations[0]!.now,
      );
      const results: ReserveResult[] = [];
      const holds: Insertable<BudgetReservationsTable>[] = [];
      for (const r of reservations) {
        const standings = r.charges.map((c): BudgetStanding => {
          const counter = state.get(counterId(r.tenantId, c))!;
          return { ...c, spentMicro: counter.spent, reservedMicro: counter.reserved };
        });
        const exceeded = standings.find((s) => s.spentMicro + s.reservedMicro + r.amountMicro > s.limitMicro);
        if (exceeded) {
          results.push({ ok: false, exceeded, standings });
          continue;
        }
        for (const s of standings) {
          state.get(counterId(r.tenantId, s))!.reserved += r.amountMicro;
          s.reservedMicro += r.amountMicro;
          holds.push({
            tenant_id: r.tenantId,
            request_id: r.requestId,
            budget_key: s.key,
            period_start: toMillis(s.periodStart),
            amount_micro: r.amountMicro,
            lease_until: toMillis(r.leaseUntil),
          });
        }
        results.push({ ok: true, standings });
      }
      await this.#writeBack(trx, state);
      for (let i = 0; i < holds.length; i += INSERT_CHUNK) {
        await trx
          .insertInto('budget_reservations')
          .values(holds.slice(i, i + INSERT_CHUNK))
          .execute();
      }
      return results;
    });
  }

  settleMany(settlements: readonly BudgetSettlement[]): Promise<boolean[]> {
    if (settlements.length === 0) return Promise.resolve([]);
    return this.#db.transaction().execute(async (trx) => {
      // Set-based: one statement per step for the whole batch, not one per request.
      const fresh = new Set<string>();
      for (let i = 0; i < settlements.length; i += INSERT_CHUNK) {
        const rows = await trx
          .insertInto('budget_settlements')
          .values(
            settlements
              .slice(i, i + INSERT_CHUNK)
              .map((s) => ({ tenant_id: s.tenantId, request_id: s.requestId, settled_at: toMillis(s.now) })),
          )
          .onConflict((oc) => oc.columns(['tenant_id', 'request_id']).doNothing())
          .returning(['tenant_id', 'request_id'])
          .execute();
        for (const row of rows) fresh.add(`${row.tenant_id}\u0000${row.request_id}`);
      }
      // A request settled twice in one batch counts once: its first occurrence.
      const first = settlements.map((s) => fresh.delete(`${s.tenantId}\u0000${s.requestId}`));
      const due = settlements.filter((_, i) => first[i]);
      if (due.length === 0) return first;
      const state = await this.#lockAll(
        trx,
        due.flatMap((s) => s.counters.map((c) => ({ tenantId: s.tenantId, ...c }))),
        undefined,
      );
      const holds = new Map<string, number>();
      for (const [tenantId, requestIds] of byTenant(due)) {
        for (let i = 0; i < requestIds.length; i += INSERT_CHUNK) {
          const chunk = requestIds.slice(i, i + INSERT_CHUNK);
          const rows = await trx
            .selectFrom('budget_reservations')
            .select(['request_id', 'budget_key', 'period_start', 'amount_micro'])
            .where('tenant_id', '=', tenantId)
            .where('request_id', 'in', chunk)
            .execute();
          for (const h of rows) {
            const ref = { key: h.budget_key, periodStart: new Date(Number(h.period_start)) };
            holds.set(`${h.request_id}\u0000${counterId(tenantId, ref)}`, Number(h.amount_micro));
          }
          await trx
            .deleteFrom('budget_reservations')
            .where('tenant_id', '=', tenantId)
            .where('request_id', 'in', chunk)
            .execute();
        }
      }
      for (const s of due) {
        for (const c of s.counters) {
          const id = counterId(s.tenantId, c);
          const counter = state.get(id)!;
          counter.spent += s.actualMicro;
          counter.reserved -= holds.get(`${s.requestId}\u0000${id}`) ?? 0;
        }
      }
      await this.#writeBack(trx, state);
      return first;
    });
  }

  drawDownMany(items: readonly BudgetDrawDown[]): Promise<DrawDownResult[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.#db.transaction().execute(async (trx) => {
      const state = await this.#lockAll(
        trx,
        items.map((d) => ({ tenantId: d.tenantId, ...d.counter })),
        items[0]!.now,
      );
      const held: number[] = [];
      for (const d of items) {
        const counter = state.get(counterId(d.tenantId, d.counter))!;
        const where = {
          tenant_id: d.tenantId,
          request_id: d.holdId,
          budget_key: d.counter.key,
          period_start: toMillis(d.counter.periodStart),
        };
        const row = await trx
          .selectFrom('budget_reservations')
          .select('amount_micro')
          .where('tenant_id', '=', where.tenant_id)
          .where('request_id', '=', where.request_id)
          .where('budget_key', '=', where.budget_key)
          .where('period_start', '=', where.period_start)
          .executeTakeFirst();
        const before = Number(row?.amount_micro ?? 0);
        const taken = Math.min(before, d.spendMicro + d.releaseMicro);
        const after = before - taken;
        counter.spent += d.spendMicro;
        counter.reserved -= taken;
        if (row && after <= 0) {
          await trx
            .deleteFrom('budget_reservations')
            .where('tenant_id', '=', where.tenant_id)
            .where('request_id', '=', where.request_id)
            .where('budget_key', '=', where.budget_key)
            .where('period_start', '=', where.period_start)
            .execute();
        } else if (row) {
          await trx
            .updateTable('budget_reservations')
            .set({ amount_micro: after, lease_until: toMillis(d.leaseUntil) })
            .where('tenant_id', '=', where.tenant_id)
            .where('request_id', '=', where.request_id)
            .where('budget_key', '=', where.budget_key)
            .where('period_start', '=', where.period_start)
            .execute();
        }
        held.push(Math.max(0, after));
      }
      await this.#writeBack(trx, state);
      return items.map((d, i) => {
        const counter = state.get(counterId(d.tenantId, d.counter))!;
        return { heldMicro: held[i]!, spentMicro: counter.spent, reservedMicro: counter.reserved };
      });
    });
  }

  /** Writes the counters' new values (they are locked, so absolute values are safe). */
  async #writeBack(trx: Trx, state: Map<string, LockedCounter>): Promise<void> {
    for (const counter of state.values()) {
      if (counter.spent === counter.spentBefore && counter.reserved === counter.reservedBefore) continue;
      await trx
        .updateTable('budget_counters')
        .set({ spent_micro: counter.spent, reserved_micro: counter.reserved })
        .where('tenant_id', '=', counter.tenantId)
        .where('budget_key', '=', counter.key)
        .where('period_start', '=', toMillis(counter.periodStart))
        .execute();
    }
  }

  /** Locks each distinct counter once, in sorted order; with `now`, releases expired holds first. */
  async #lockAll(
    trx: Trx,
    refs: (BudgetCounterRef & { tenantId: TenantId })[],
    now: Date | undefined,
  ): Promise<Map<string, LockedCounter>> {
    const unique = new Map<string, BudgetCounterRef & { tenantId: TenantId }>();
    for (const ref of refs) unique.set(counterId(ref.tenantId, ref), ref);
    const state = new Map<string, LockedCounter>();
    for (const [id, ref] of [...unique].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      state.set(id, await this.#lock(trx, ref.tenantId, ref, now));
    }
    return state;
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

  /**
   * Locks the counter (creating it at zero). With `now`, the holds whose lease has run out are deleted
   * and left out of `reserved`; `#writeBack` then stores the counter with the rest of the batch.
   */
  async #lock(
    trx: Trx,
    tenantId: TenantId,
    ref: BudgetCounterRef,
    now: Date | undefined,
  ): Promise<LockedCounter> {
    await this.#ensureCounter(trx, tenantId, ref);
    const period = toMillis(ref.periodStart);
    const row = await trx
      .selectFrom('budget_counters')
      .select(['spent_micro', 'reserved_micro'])
      .where('tenant_id', '=', tenantId)
      .where('budget_key', '=', ref.key)
      .where('period_start', '=', period)
      .$if(this.#traits.supportsForUpdate, (q) => q.forUpdate())
      .executeTakeFirstOrThrow();
    const spent = Number(row.spent_micro);
    const stored = Number(row.reserved_micro);
    let reserved = stored;
    if (now !== undefined) {
      const expired = await trx
        .deleteFrom('budget_reservations')
        .where('tenant_id', '=', tenantId)
        .where('budget_key', '=', ref.key)
        .where('period_start', '=', period)
        .where('lease_until', '<', toMillis(now))
        .returning('amount_micro')
        .execute();
      for (const hold of expired) reserved -= Number(hold.amount_micro);
    }
    return {
      tenantId,
      key: ref.key,
      periodStart: ref.periodStart,
      spent,
      reserved,
      spentBefore: spent,
      reservedBefore: stored,
    };
  }
}

function byTenant(settlements: readonly BudgetSettlement[]): Map<TenantId, string[]> {
  const out = new Map<TenantId, string[]>();
  for (const s of settlements) {
    const list = out.get(s.tenantId);
    if (list) list.push(s.requestId);
    else out.set(s.tenantId, [s.requestId]);
  }
  return out;
}
