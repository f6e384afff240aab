// Enforces budgets around a gateway request: reserve the worst case on every budget that applies before
// forwarding, refuse with the protocol's 429 when one would overflow, settle the actual cost afterwards.

import type { BudgetConfig } from '../../config/policy-config.ts';
import {
  type ApplicableBudget,
  type ApprovedLookup,
  applicableBudgets,
  type BudgetSubject,
} from '../../core/budgets/applicable-budgets.ts';
import {
  allowedHeaders,
  type CapStanding,
  fetchErrorHeaders,
  fullestCap,
  rejectedHeaders,
} from '../../core/budgets/usage-limit-headers.ts';
import { AppError } from '../../core/errors/app-error.ts';
import type {
  BudgetCharge,
  BudgetCounterRef,
  BudgetStanding,
  BudgetStore,
} from '../../storage/budget-port.ts';
import { budgetRefusal, isSoftCapped } from './budget-refusal.ts';

/** A request that never settles (its process died) stops holding budget after this. */
const LEASE_MS = 15 * 60_000;

export interface Admission {
  budgets: ApplicableBudget[];
  /** Usage-limit headers for the response: empty when no budget applies. */
  headers: Record<string, string>;
}

export interface BudgetGuardLogger {
  error(obj: object, msg: string): void;
}

/** A budget passed one of its `alert_thresholds` in its current period (emitted once per threshold). */
export interface ThresholdEvent {
  tenantId: string;
  user: string;
  budget: ApplicableBudget;
  threshold: number;
  spentMicro: number;
}

/** Where the approved increases of soft-capped budgets come from (ApprovedIncreaseCache). */
export interface ApprovedIncreases {
  forTenant(tenantId: string, now: Date): Promise<ApprovedLookup>;
}

const NONE_APPROVED: ApprovedIncreases = { forTenant: async () => () => 0 };

/** A request to admit: whose, what its budgets are, and the most it can cost. */
export interface AdmissionRequest {
  tenantId: string;
  requestId: string;
  budgets: readonly BudgetConfig[];
  who: BudgetSubject;
  worstCaseMicro: number;
  now: Date;
}

/** A finished request's actual cost, against what it was admitted on. */
export interface Settlement {
  tenantId: string;
  requestId: string;
  admission: Admission;
  actualMicro: number;
  now: Date;
  /** Who made the request, for the threshold events. */
  user?: string;
}

/** What a store that keeps counters in memory (BudgetAllotments) can answer without waiting. */
export interface ImmediateBudgetCounters {
  /** Reserves on every counter or on none; the standings, or undefined when the store is needed. */
  reserveNow(
    tenantId: string,
    requestId: string,
    charges: readonly BudgetCharge[],
    amountMicro: number,
  ): BudgetStanding[] | undefined;
  settleNow(
    tenantId: string,
    requestId: string,
    counters: readonly BudgetCounterRef[],
    actualMicro: number,
  ): boolean;
  standingsNow(tenantId: string, charges: readonly BudgetCharge[]): BudgetStanding[] | undefined;
}

const isImmediate = (store: BudgetStore): store is BudgetStore & ImmediateBudgetCounters =>
  'reserveNow' in store && 'settleNow' in store && 'standingsNow' in store;

/** No budget applies: shared, never changed. */
const UNBUDGETED: Admission = Object.freeze({ budgets: [], headers: Object.freeze({}) }) as Admission;

/** A subject's budgets for one set of budget configs, valid until the first of their periods ends. */
interface ApplicableEntry {
  budgets: ApplicableBudget[];
  until: number;
}

/** Thresholds known to be marked, so most settlements skip the store; bounded, then forgotten. */
const MAX_KNOWN_THRESHOLDS = 10_000;

export class BudgetGuard {
  readonly #known = new Set<string>();
  readonly #immediate: ImmediateBudgetCounters | undefined;
  /** Applicable budgets per budget list (a bundle's, or with spend limits) and subject, for admitNow. */
  #applicable = new WeakMap<readonly BudgetConfig[], Map<string, ApplicableEntry>>();
  /** The budget and last user behind each counter settled lately, for spentChanged. */
  readonly #recent = new Map<string, { budget: ApplicableBudget; user: string }>();

  constructor(
    private readonly store: BudgetStore,
    private readonly logger: BudgetGuardLogger,
    private readonly onThreshold: (event: ThresholdEvent) => Promise<void> = async () => {},
    private readonly approvals: ApprovedIncreases = NONE_APPROVED,
  ) {
    this.#immediate = isImmediate(store) ? store : undefined;
  }

  /**
   * `admit` without waiting, for the common request: no soft-capped budget (those need the approvals) and
   * room in every counter's slice. Undefined, with nothing reserved, sends the caller to `admit`.
   */
  admitNow(input: AdmissionRequest): Admission | undefined {
    const immediate = this.#immediate;
    if (!immediate) return undefined;
    const budgets = this.#applicableNow(input.budgets, input.who, input.now);
    if (!budgets) return undefined;
    if (budgets.length === 0) return UNBUDGETED;
    const amount = Math.max(1, input.worstCaseMicro);
    const standings = immediate.reserveNow(input.tenantId, input.requestId, budgets, amount);
    if (!standings) return undefined;
    // The fullest cap decides the usage-limit headers (as fullestCap does for `admit`).
    let fullest = -1;
    let used = -1;
    for (const [i, budget] of budgets.entries()) {
      const share = budget.limitMicro > 0 ? standings[i]!.spentMicro / budget.limitMicro : 1;
      if (share > used) {
        used = share;
        fullest = i;
      }
    }
    const budget = budgets[fullest]!;
    const cap: CapStanding = {
      spentMicro: standings[fullest]!.spentMicro,
      limitMicro: budget.limitMicro,
      resetsAt: budget.resetsAt,
      period: budget.period,
      pooled: budget.holder === 'pool',
    };
    return { budgets, headers: allowedHeaders(cap) };
  }

  /** Applicable budgets from the cache while their periods last; undefined when a budget is soft-capped. */
  #applicableNow(
    configs: readonly BudgetConfig[],
    who: BudgetSubject,
    now: Date,
  ): ApplicableBudget[] | undefined {
    let bySubject = this.#applicable.get(configs);
    if (!bySubject) {
      if (configs.some((b) => b.approval_required_above !== undefined)) return undefined;
      bySubject = new Map();
      this.#applicable.set(configs, bySubject);
    }
    const subject = `${who.type}\u0000${who.id}\u0000${who.teamId}\u0000${who.businessUnitId}`;
    const time = now.getTime();
    const hit = bySubject.get(subject);
    if (hit && time < hit.until) return hit.budgets;
    const budgets = applicableBudgets(configs, who, now);
    let until = Number.POSITIVE_INFINITY;
    for (const budget of budgets) until = Math.min(until, budget.resetsAt.getTime());
    if (bySubject.size >= MAX_KNOWN_THRESHOLDS) bySubject.clear();
    bySubject.set(subject, { budgets, until });
    return budgets;
  }

  async admit(input: AdmissionRequest): Promise<Admission> {
    const { tenantId, requestId, now } = input;
    // Only a soft-capped budget needs the approvals; the others skip the lookup.
    const approved = input.budgets.some((b) => b.approval_required_above !== undefined)
      ? await this.approvals.forTenant(tenantId, now)
      : undefined;
    const budgets = applicableBudgets(input.budgets, input.who, now, approved);
    if (budgets.length === 0) return { budgets, headers: {} };
    const charges = budgets.map((b) => ({
      key: b.key,
      periodStart: b.periodStart,
      limitMicro: b.limitMicro,
    }));
    let result: Awaited<ReturnType<BudgetStore['reserve']>>;
    try {
      result = await this.store.reserve({
        tenantId,
        requestId,
        charges,
        amountMicro: Math.max(1, input.worstCaseMicro),
        now,
        leaseUntil: new Date(now.getTime() + LEASE_MS),
      });
    } catch (error) {
      // Budgets are enforced, so an unreadable counter refuses the request rather than letting it through.
      this.logger.error({ err: error }, 'budget counters unavailable; refusing the request');
      throw new AppError(
        429,
        'billing_error',
        'Your spend could not be checked against your budget right now, so the request was not sent; try again in a minute.',
        {},
        fetchErrorHeaders(),
      );
    }
    const caps = capsOf(budgets, result.standings);
    if (!result.ok) {
      const over = result.standings.filter(
        (s) => s.spentMicro + s.reservedMicro + Math.max(1, input.worstCaseMicro) > s.limitMicro,
      );
      // Of the caps in the way, the one that resets last is the one that decides when work can resume.
      const blocking =
        budgets
          .filter((b) => over.some((s) => s.key === b.key))
          .sort((a, b) => b.resetsAt.getTime() - a.resetsAt.getTime())[0] ??
        budgets.find((b) => b.key === result.exceeded.key)!;
      const cap = caps.get(blocking)!;
      throw new AppError(
        429,
        'billing_error',
        budgetRefusal(blocking, now),
        isSoftCapped(blocking)
          ? { budget: blocking.budget.id, approval_required: true }
          : { budget: blocking.budget.id },
        rejectedHeaders(cap, now),
      );
    }
    const fullest = fullestCap([...caps.values()]);
    return { budgets, headers: fullest ? allowedHeaders(fullest) : {} };
  }

  /**
   * `settle` without waiting when the counters are in memory (the thresholds passed, rarely, are marked
   * behind); false when it could not, and `settle` must be called instead.
   */
  settleNow(settlement: Settlement): boolean {
    const { tenantId, requestId, admission, actualMicro, now, user = '' } = settlement;
    if (admission.budgets.length === 0) return true;
    const immediate = this.#immediate;
    if (!immediate) return false;
    try {
      if (!immediate.settleNow(tenantId, requestId, admission.budgets, actualMicro)) return true;
      if (actualMicro <= 0) return true;
      const standings = immediate.standingsNow(tenantId, admission.budgets);
      if (!standings) {
        this.#thresholds(tenantId, admission.budgets, now, user).catch((error: unknown) =>
          this.#settleFailed(error, requestId, actualMicro),
        );
        return true;
      }
      this.#checkAll(tenantId, admission.budgets, standings, now, user)?.catch((error: unknown) =>
        this.#settleFailed(error, requestId, actualMicro),
      );
    } catch (error) {
      this.#settleFailed(error, requestId, actualMicro);
    }
    return true;
  }

  #settleFailed(error: unknown, requestId: string, actualMicro: number): void {
    this.logger.error(
      { err: error, requestId, actualMicro },
      'could not settle a request against its budgets',
    );
  }

  /** Counts the actual cost, then emits the alert thresholds it passed; failures are logged, and the lease frees the hold. */
  async settle(settlement: Settlement): Promise<void> {
    const { tenantId, requestId, admission, actualMicro, now, user = '' } = settlement;
    if (admission.budgets.length === 0) return;
    try {
      if (!(await this.store.settle(tenantId, requestId, admission.budgets, actualMicro, now))) return;
      if (actualMicro > 0) await this.#thresholds(tenantId, admission.budgets, now, user);
    } catch (error) {
      this.#settleFailed(error, requestId, actualMicro);
    }
  }

  /**
   * A counter's spend as the store reported it after a write (BudgetAllotments), which includes what other
   * instances spent: a threshold the whole fleet passed is emitted even if no one settlement here saw it.
   */
  async spentChanged(tenantId: string, counter: { key: string; periodStart: Date }, spentMicro: number) {
    const seen = this.#recent.get(counterId(tenantId, counter.key, counter.periodStart));
    if (!seen) return;
    try {
      await this.#check(tenantId, seen.budget, spentMicro, new Date(), seen.user);
    } catch (error) {
      this.logger.error({ err: error }, 'could not record a budget threshold');
    }
  }

  async #thresholds(tenantId: string, budgets: ApplicableBudget[], now: Date, user: string): Promise<void> {
    const charges = budgets.map((b) => ({
      key: b.key,
      periodStart: b.periodStart,
      limitMicro: b.limitMicro,
    }));
    const standings = await this.store.standings(tenantId, charges, now);
    await this.#checkAll(tenantId, budgets, standings, now, user);
  }

  /** Checks each budget's thresholds against its standing; a promise only when one is to be marked. */
  #checkAll(
    tenantId: string,
    budgets: readonly ApplicableBudget[],
    standings: readonly BudgetStanding[],
    now: Date,
    user: string,
  ): Promise<void> | undefined {
    let markings: Promise<void>[] | undefined;
    for (const [i, budget] of budgets.entries()) {
      if (this.#recent.size >= MAX_KNOWN_THRESHOLDS) this.#recent.clear();
      this.#recent.set(counterId(tenantId, budget.key, budget.periodStart), { budget, user });
      const marking = this.#check(tenantId, budget, standings[i]!.spentMicro, now, user);
      if (!marking) continue;
      if (markings) markings.push(marking);
      else markings = [marking];
    }
    return markings && Promise.all(markings).then(() => {});
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
      const id = `${counterId(tenantId, budget.key, budget.periodStart)}\u0000${threshold}`;
      if (this.#known.has(id)) continue;
      if (this.#known.size >= MAX_KNOWN_THRESHOLDS) this.#known.clear();
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

const counterId = (tenantId: string, key: string, periodStart: Date) =>
  `${tenantId}\u0000${key}\u0000${periodStart.getTime()}`;

function capsOf(
  budgets: ApplicableBudget[],
  standings: readonly BudgetStanding[],
): Map<ApplicableBudget, CapStanding> {
  const caps = new Map<ApplicableBudget, CapStanding>();
  for (const budget of budgets) {
    const standing = standings.find((s) => s.key === budget.key);
    caps.set(budget, {
      spentMicro: standing?.spentMicro ?? 0,
      limitMicro: budget.limitMicro,
      resetsAt: budget.resetsAt,
      period: budget.period,
      pooled: budget.holder === 'pool',
    });
  }
  return caps;
}
