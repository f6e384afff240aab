// Budget counters, shared by every server instance: reserve the worst case before a request is forwarded,
// settle the actual cost after it. Reservations carry a lease, so a crashed request's hold frees itself.
import type { TenantId } from './ports.ts';

/** One counter a request counts against: a budget (or a seat of one) in one period. */
export interface BudgetCounterRef {
  key: string;
  periodStart: Date;
}

export interface BudgetCharge extends BudgetCounterRef {
  limitMicro: number;
}

export interface BudgetStanding extends BudgetCharge {
  spentMicro: number;
  /** Held by requests in flight. */
  reservedMicro: number;
}

export interface BudgetReservation {
  tenantId: TenantId;
  requestId: string;
  charges: readonly BudgetCharge[];
  /** The most the request can cost; held on every counter. */
  amountMicro: number;
  now: Date;
  /** After this the hold is released if the request never settled (it crashed). */
  leaseUntil: Date;
}

export type ReserveResult =
  | { ok: true; standings: BudgetStanding[] }
  /** Nothing was held; `exceeded` is the first counter that could not take the amount. */
  | { ok: false; exceeded: BudgetStanding; standings: BudgetStanding[] };

export interface BudgetSettlement {
  tenantId: TenantId;
  requestId: string;
  counters: readonly BudgetCounterRef[];
  actualMicro: number;
  now: Date;
}

export interface BudgetStore {
  /**
   * Several reservations in one transaction, decided in order as if made one after another (a refused
   * one holds nothing); what the gateway uses, so concurrent requests cost one commit, not one each.
   */
  reserveMany(reservations: readonly BudgetReservation[]): Promise<ReserveResult[]>;
  /** Several settlements in one transaction; each result as `settle` would return it. */
  settleMany(settlements: readonly BudgetSettlement[]): Promise<boolean[]>;
  /** All or nothing, atomically across instances: every counter takes the amount, or none does. */
  reserve(reservation: BudgetReservation): Promise<ReserveResult>;
  /**
   * Adds the actual cost to every counter and releases the request's holds. Idempotent per request:
   * a second call changes nothing and returns false. Works after the lease expired (the hold is gone,
   * the cost is still counted).
   */
  settle(
    tenantId: TenantId,
    requestId: string,
    counters: readonly BudgetCounterRef[],
    actualMicro: number,
    now: Date,
  ): Promise<boolean>;
  /**
   * Notes that a counter passed an alert threshold (a percentage) in its period. True only for the first
   * caller, across every instance: the event is emitted once per threshold per period.
   */
  markThreshold(tenantId: TenantId, counter: BudgetCounterRef, threshold: number, at: Date): Promise<boolean>;
  /** Spent and held on each counter; zero for a counter never used. */
  standings(tenantId: TenantId, charges: readonly BudgetCharge[], now: Date): Promise<BudgetStanding[]>;
}
