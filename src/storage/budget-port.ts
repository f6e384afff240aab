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

/**
 * Part of a long-lived hold (a gateway's allotment of a counter, see BudgetAllotments) turned into spend,
 * and part given back; the rest stays held with a renewed lease. Never checks the limit: it can only
 * lower what the counter holds.
 */
export interface BudgetDrawDown {
  tenantId: TenantId;
  /** The request id the hold was reserved under; the hold is on `counter` alone. */
  holdId: string;
  counter: BudgetCounterRef;
  spendMicro: number;
  releaseMicro: number;
  leaseUntil: Date;
  now: Date;
}

export interface DrawDownResult {
  /** What the hold still has; 0 once used up or released (the row is gone), or if its lease had run out. */
  heldMicro: number;
  /** The counter after this batch, across every instance. */
  spentMicro: number;
  reservedMicro: number;
}

export interface BudgetStore {
  /** Several draw-downs in one transaction, in order; spend is counted even when the hold was lost. */
  drawDownMany(items: readonly BudgetDrawDown[]): Promise<DrawDownResult[]>;
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
