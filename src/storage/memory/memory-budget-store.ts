// In-memory BudgetStore for unit tests, with the SQL adapters' semantics.
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

interface Hold {
  counter: string;
  amountMicro: number;
  leaseUntil: number;
}

export class MemoryBudgetStore implements BudgetStore {
  readonly #counters = new Map<string, { spent: number; reserved: number }>();
  readonly #holds = new Map<string, Hold[]>();
  readonly #settled = new Set<string>();

  async reserveMany(reservations: readonly BudgetReservation[]): Promise<ReserveResult[]> {
    const results: ReserveResult[] = [];
    for (const r of reservations) results.push(await this.reserve(r));
    return results;
  }

  async settleMany(settlements: readonly BudgetSettlement[]): Promise<boolean[]> {
    const results: boolean[] = [];
    for (const s of settlements)
      results.push(await this.settle(s.tenantId, s.requestId, s.counters, s.actualMicro));
    return results;
  }

  async reserve(r: BudgetReservation): Promise<ReserveResult> {
    const standings = r.charges.map((c) => this.#standing(r.tenantId, c, r.now.getTime()));
    const exceeded = standings.find((s) => s.spentMicro + s.reservedMicro + r.amountMicro > s.limitMicro);
    if (exceeded) return { ok: false, exceeded, standings };
    const holds: Hold[] = [];
    for (const s of standings) {
      const counter = counterId(r.tenantId, s);
      this.#counter(counter).reserved += r.amountMicro;
      s.reservedMicro += r.amountMicro;
      holds.push({ counter, amountMicro: r.amountMicro, leaseUntil: r.leaseUntil.getTime() });
    }
    this.#holds.set(`${r.tenantId}\u0000${r.requestId}`, holds);
    return { ok: true, standings };
  }

  async settle(
    tenantId: TenantId,
    requestId: string,
    counters: readonly BudgetCounterRef[],
    actualMicro: number,
  ): Promise<boolean> {
    const id = `${tenantId}\u0000${requestId}`;
    if (this.#settled.has(id)) return false;
    this.#settled.add(id);
    const holds = this.#holds.get(id) ?? [];
    this.#holds.delete(id);
    for (const ref of counters) {
      const counter = counterId(tenantId, ref);
      const state = this.#counter(counter);
      state.spent += actualMicro;
      state.reserved -= holds.find((h) => h.counter === counter)?.amountMicro ?? 0;
    }
    return true;
  }

  async drawDownMany(items: readonly BudgetDrawDown[]): Promise<DrawDownResult[]> {
    const held: number[] = [];
    for (const d of items) {
      const counter = counterId(d.tenantId, d.counter);
      this.#standing(d.tenantId, { ...d.counter, limitMicro: 0 }, d.now.getTime()); // expires old holds
      const holds = this.#holds.get(`${d.tenantId}\u0000${d.holdId}`) ?? [];
      const hold = holds.find((h) => h.counter === counter);
      const state = this.#counter(counter);
      const taken = Math.min(hold?.amountMicro ?? 0, d.spendMicro + d.releaseMicro);
      state.spent += d.spendMicro;
      state.reserved -= taken;
      if (hold) {
        hold.amountMicro -= taken;
        hold.leaseUntil = d.leaseUntil.getTime();
        if (hold.amountMicro <= 0) holds.splice(holds.indexOf(hold), 1);
      }
      held.push(Math.max(0, hold?.amountMicro ?? 0));
    }
    return items.map((d, i) => {
      const state = this.#counter(counterId(d.tenantId, d.counter));
      return { heldMicro: held[i]!, spentMicro: state.spent, reservedMicro: state.reserved };
    });
  }

  readonly #thresholds = new Set<string>();

  async markThreshold(tenantId: TenantId, counter: BudgetCounterRef, threshold: number): Promise<boolean> {
    const id = `${counterId(tenantId, counter)}\u0000${threshold}`;
    if (this.#thresholds.has(id)) return false;
    this.#thresholds.add(id);
    return true;
  }

  async standings(tenantId: TenantId, charges: readonly BudgetCharge[]): Promise<BudgetStanding[]> {
    return charges.map((c) => {
      const state = this.#counters.get(counterId(tenantId, c)) ?? { spent: 0, reserved: 0 };
      return { ...c, spentMicro: state.spent, reservedMicro: state.reserved };
    });
  }

  #counter(id: string): { spent: number; reserved: number } {
    let state = this.#counters.get(id);
    if (!state) {
      state = { spent: 0, reserved: 0 };
      this.#counters.set(id, state);
    }
    return state;
  }

  /** The counter's standing after releasing holds whose lease ran out. */
  #standing(tenantId: TenantId, charge: BudgetCharge, now: number): BudgetStanding {
    const counter = counterId(tenantId, charge);
    const state = this.#counter(counter);
    for (const [request, holds] of this.#holds) {
      const kept = holds.filter((h) => {
        const expired = h.counter === counter && h.leaseUntil < now;
        if (expired) state.reserved -= h.amountMicro;
        return !expired;
      });
      this.#holds.set(request, kept);
    }
    return { ...charge, spentMicro: state.spent, reservedMicro: state.reserved };
  }
}

function counterId(tenantId: TenantId, ref: BudgetCounterRef): string {
  return `${tenantId}\u0000${ref.key}\u0000${ref.periodStart.getTime()}`;
}
