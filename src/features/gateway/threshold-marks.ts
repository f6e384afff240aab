// Budget alert thresholds (`alert_thresholds`): each is emitted once per budget counter and period, when
// the spend a settlement (or another instance's write) brings passes it. Thresholds already known to be
// marked are remembered, so nearly every settlement checks them without touching the store.

import type { ApplicableBudget } from '../../core/budgets/applicable-budgets.ts';
import type { BudgetCounterRef, BudgetStanding, BudgetStore } from '../../storage/budget-port.ts';
import { counterKey } from './budget-counter-key.ts';

/** A budget passed one of its `alert_thresholds` in its current period (emitted once per threshold). */
export interface ThresholdEvent {
  tenantId: string;
  user: string;
  budget: ApplicableBudget;
  threshold: number;
  spentMicro: number;
}

export interface ThresholdLogger {
  error(obj: object, msg: string): void;
}

/** Thresholds known to be marked, and counters seen lately; bounded, then forgotten. */
const MAX_KNOWN = 10_000;

export class ThresholdMarks {
  readonly #known = new Set<string>();
  /** The budget and last user behind each counter settled lately, for spentChanged. */
  readonly #recent = new Map<string, { budget: ApplicableBudget; user: string }>();

  constructor(
    private readonly store: Pick<BudgetStore, 'markThreshold'>,
    private readonly logger: ThresholdLogger,
    private readonly onThreshold: (event: ThresholdEvent) => Promise<void>,
  ) {}

  /** Checks each budget's thresholds against its standing; a promise only when one is to be marked. */
  checkAll(
    tenantId: string,
    budgets: readonly ApplicableBudget[],
    standings: readonly BudgetStanding[],
    now: Date,
    user: string,
  ): Promise<void> | undefined {
    let markings: Promise<void>[] | undefined;
    for (let i = 0; i < budgets.length; i++) {
      const budget = budgets[i]!;
      const key = counterKey(tenantId, budget);
      // A session's settlements nearly always find their counter already remembered as it is.
      const seen = this.#recent.get(key);
      if (seen?.budget !== budget || seen.user !== user) {
        if (this.#recent.size >= MAX_KNOWN) this.#recent.clear();
        this.#recent.set(key, { budget, user });
      }
      const marking = this.#check(tenantId, budget, standings[i]!.spentMicro, now, user);
      if (!marking) continue;
      if (markings) markings.push(marking);
      else markings = [marking];
    }
    return markings && Promise.all(markings).then(() => {});
  }

  /** A counter's spend across the fleet, as the store answered a write: checked if the counter was seen here. */
  async spentChanged(tenantId: string, counter: BudgetCounterRef, spentMicro: number): Promise<void> {
    const seen = this.#recent.get(counterKey(tenantId, counter));
    if (!seen) return;
    try {
      await this.#check(tenantId, seen.budget, spentMicro, new Date(), seen.user);
    } catch (error) {
      this.logger.error({ err: error }, 'could not record a budget threshold');
    }
  }

  /**
   * Marks the thresholds `spent` has passed that were not yet known to be marked. Synchronous when there
   * are none (nearly every settlement), so the common case allocates no promise.
   */
  #check(
    tenantId: string,
    budget: ApplicableBudget,
    spent: number,
    now: Date,
    user: string,
  ): Promise<void> | undefined {
    // Alert thresholds are shares of the budget's amount, whatever soft cap or increase is in force.
    const used = budget.hardLimitMicro > 0 ? (spent / budget.hardLimitMicro) * 100 : 100;
    let fresh: number[] | undefined;
    for (const threshold of budget.budget.alert_thresholds) {
      if (used < threshold) break; // ascending
      const id = `${counterKey(tenantId, budget)}\u0000${threshold}`;
      if (this.#known.has(id)) continue;
      if (this.#known.size >= MAX_KNOWN) this.#known.clear();
      this.#known.add(id);
      if (fresh) fresh.push(threshold);
      else fresh = [threshold];
    }
    return fresh && this.#mark(tenantId, budget, fresh, spent, now, user);
  }

  async #mark(
    tenantId: string,
    budget: ApplicableBudget,
    thresholds: number[],
    spent: number,
    now: Date,
    user: string,
  ): Promise<void> {
    for (const threshold of thresholds) {
      if (await this.store.markThreshold(tenantId, budget, threshold, now)) {
        await this.onThreshold({ tenantId, user, budget, threshold, spentMicro: spent });
      }
    }
  }
}
