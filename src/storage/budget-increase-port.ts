// Approved increases of a budget past its soft cap (`approval_required_above`): requested by one person,
// approved or denied by another, each for one counter (a budget, or one seat of it) in one period.
import type { TenantId } from './ports.ts';

export type BudgetIncreaseStatus = 'pending' | 'approved' | 'denied';

export interface BudgetIncreaseRequest {
  tenantId: TenantId;
  budgetId: string;
  /** The counter it raises: the budget id, or `<budget>/seat:<user>` for one seat of a per-seat budget. */
  counterKey: string;
  periodStart: Date;
  amountMicro: number;
  reason: string;
  requestedBy: string;
  at: Date;
}

export interface BudgetIncrease extends BudgetIncreaseRequest {
  id: string;
  status: BudgetIncreaseStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** An approved increase stops counting then (at the latest when its period ends). */
  expiresAt: Date | null;
  note: string | null;
}

export interface BudgetIncreaseDecision {
  status: 'approved' | 'denied';
  by: string;
  at: Date;
  /** Required for an approval. */
  expiresAt?: Date;
  note?: string;
}

/** What approvals add to one counter's soft cap, summed over its approved, unexpired increases. */
export interface ApprovedIncrease {
  counterKey: string;
  periodStart: Date;
  amountMicro: number;
  /** The earliest expiry among them: the sum may drop then. */
  firstExpiry: Date;
}

export interface BudgetIncreaseStore {
  request(request: BudgetIncreaseRequest): Promise<BudgetIncrease>;
  /**
   * Decides a pending request; undefined when there is no such request in the tenant. A request already
   * decided is returned unchanged (check its status): a decision is made once.
   */
  decide(
    tenantId: TenantId,
    id: string,
    decision: BudgetIncreaseDecision,
  ): Promise<BudgetIncrease | undefined>;
  get(tenantId: TenantId, id: string): Promise<BudgetIncrease | undefined>;
  /** Newest first. */
  list(
    tenantId: TenantId,
    filter?: { status?: BudgetIncreaseStatus; budgetId?: string },
  ): Promise<BudgetIncrease[]>;
  /** Per counter and period, the approved increases that have not expired at `now`. */
  approved(tenantId: TenantId, now: Date): Promise<ApprovedIncrease[]>;
}

/** Sums approved, unexpired increases per counter and period; shared by every adapter. */
export function sumApproved(increases: Iterable<BudgetIncrease>, now: Date): ApprovedIncrease[] {
  const sums = new Map<string, ApprovedIncrease>();
  for (const inc of increases) {
    if (inc.status !== 'approved' || !inc.expiresAt || inc.expiresAt <= now) continue;
    const id = `${inc.counterKey}\u0000${inc.periodStart.getTime()}`;
    const sum = sums.get(id);
    if (!sum) {
      sums.set(id, {
        counterKey: inc.counterKey,
        periodStart: inc.periodStart,
        amountMicro: inc.amountMicro,
        firstExpiry: inc.expiresAt,
      });
    } else {
      sum.amountMicro += inc.amountMicro;
      if (inc.expiresAt < sum.firstExpiry) sum.firstExpiry = inc.expiresAt;
    }
  }
  return [...sums.values()];
}

/** `inc_` and 12 hex digits: short enough to type in `llm-rules budgets approve`. */
export const INCREASE_ID = /^inc_[0-9a-f]{12}$/;
