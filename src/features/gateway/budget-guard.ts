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
import { type ThresholdEvent, ThresholdMarks } from './threshold-marks.ts';

/** A request that never settles (its process died) stops holding budget after this. */
const LEASE_MS = 15 * 60_000;

export interface Admission {
  budgets: ApplicableBudget[];
  /** Usage-limit headers for the response: empty when no budget applies. Shared: read only. */
  headers: Readonly<Record<string, string>>;
}

export interface BudgetGuardLogger {
  error(obj: object, msg: string): void;
}

export type { ThresholdEvent } from './threshold-marks.ts';

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
  /** gateway.budgets_unavailable: when the counters cannot be read, admit without budgets (fail open). */
  failOpen?: boolean;
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

/** What a request holds on each budget while it runs: its worst case, and at least one micro-dollar. */
const reservationOf = (input: AdmissionRequest): number => Math.max(1, input.worstCaseMicro);

/** A subject's budgets for one set of budget configs, valid until the first of their periods ends. */
interface ApplicableEntry {
  budgets: ApplicableBudget[];
  until: number;
}

/** Subjects whose applicable budgets are kept per budget list; bounded, then forgotten. */
const MAX_CACHED_SUBJECTS = 10_000;

export class BudgetGuard {
  readonly #marks: ThresholdMarks;
  readonly #immediate: ImmediateBudgetCounters | undefined;
  /** Applicable budgets per budget list (a bundle's, or with spend limits) and subject, for admitNow. */
  #applicable = new WeakMap<readonly BudgetConfig[], Map<string, ApplicableEntry>>();

  constructor(
    private readonly store: BudgetStore,
    private readonly logger: BudgetGuardLogger,
    onThreshold: (event: ThresholdEvent) => Promise<void> = async () => {},
    private readonly approvals: ApprovedIncreases = NONE_APPROVED,
  ) {
    this.#immediate = isImmediate(store) ? store : undefined;
    this.#marks = new ThresholdMarks(store, logger, onThreshold);
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
    const amount = reservationOf(input);
    const standings = immediate.reserveNow(input.tenantId, input.requestId, budgets, amount);
    if (!standings) return undefined;
    // reserveNow answers in the order of `budgets`, so no lookup by key is needed here.
    const fullest = fullestCap(budgets.map((b, i) => capOf(b, standings[i]!.spentMicro)));
    return { budgets, headers: allowedHeaders(fullest!) };
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
    const subject = subjectKey(who);
    const time = now.getTime();
    const hit = bySubject.get(subject);
    if (hit && time < hit.until) return hit.budgets;
    const budgets = applicableBudgets(configs, who, now);
    let until = Number.POSITIVE_INFINITY;
    for (const budget of budgets) until = Math.min(until, budget.resetsAt.getTime());
    if (bySubject.size >= MAX_CACHED_SUBJECTS) bySubject.clear();
    bySubject.set(subject, { budgets, until });
    return budgets;
  }

  async admit(input: AdmissionRequest): Promise<Admission> {
    const { tenantId, requestId, now } = input;
    // Only a soft-capped budget needs the approvals; the others skip the lookup.
    let approved: ApprovedLookup | undefined;
    try {
      approved = input.budgets.some((b) => b.approval_required_above !== undefined)
        ? await this.approvals.forTenant(tenantId, now)
        : undefined;
    } catch (error) {
      return this.unavailable(error, input.failOpen);
    }
    const budgets = applicableBudgets(input.budgets, input.who, now, approved);
    if (budgets.length === 0) return { budgets, headers: {} };
    const amount = reservationOf(input);
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
        amountMicro: amount,
        now,
        leaseUntil: new Date(now.getTime() + LEASE_MS),
      });
    } catch (error) {
      return this.unavailable(error, input.failOpen);
    }
    const caps = capsOf(budgets, result.standings);
    if (!result.ok) {
      const over = result.standings.filter((s) => s.spentMicro + s.reservedMicro + amount > s.limitMicro);
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
   * The answer when the budgets or their counters cannot be read (the store is down). By default budgets
   * are enforced, so the request is refused with the protocol's `fetch_error` 429 rather than let through;
   * with `gateway.budgets_unavailable: fail_open` it is admitted with no budget, so its cost is in its usage
   * record but on no budget's counter.
   */
  unavailable(error: unknown, failOpen = false): Admission {
    if (failOpen) {
      this.logger.error({ err: error }, 'budget store unavailable; admitting the request without budgets');
      return { budgets: [], headers: {} };
    }
    this.logger.error({ err: error }, 'budget store unavailable; refusing the request');
    throw new AppError(
      429,
      'billing_error',
      'Your spend could not be checked against your budget right now, so the request was not sent; try again in a minute.',
      {},
      fetchErrorHeaders(),
    );
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
      this.#marks
        .checkAll(tenantId, admission.budgets, standings, now, user)
        ?.catch((error: unknown) => this.#settleFailed(error, requestId, actualMicro));
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
  spentChanged(tenantId: string, counter: BudgetCounterRef, spentMicro: number): Promise<void> {
    return this.#marks.spentChanged(tenantId, counter, spentMicro);
  }

  async #thresholds(tenantId: string, budgets: ApplicableBudget[], now: Date, user: string): Promise<void> {
    const charges = budgets.map((b) => ({
      key: b.key,
      periodStart: b.periodStart,
      limitMicro: b.limitMicro,
    }));
    const standings = await this.store.standings(tenantId, charges, now);
    await this.#marks.checkAll(tenantId, budgets, standings, now, user);
  }
}

function capsOf(
  budgets: ApplicableBudget[],
  standings: readonly BudgetStanding[],
): Map<ApplicableBudget, CapStanding> {
  const caps = new Map<ApplicableBudget, CapStanding>();
  for (const budget of budgets) {
    const standing = standings.find((s) => s.key === budget.key);
    caps.set(budget, capOf(budget, standing?.spentMicro ?? 0));
  }
  return caps;
}

/** A budget's cap as the usage-limit headers describe it. */
function capOf(budget: ApplicableBudget, spentMicro: number): CapStanding {
  return {
    spentMicro,
    limitMicro: budget.limitMicro,
    resetsAt: budget.resetsAt,
    period: budget.period,
    pooled: budget.holder === 'pool',
  };
}

/**
 * What the cached applicable budgets depend on. The key is in it (a key budget applies to one of a
 * person's keys, not the others), and so are the groups, sorted: a group budget applies to members only,
 * and the same person signed in with other IdP groups is another subject.
 */
function subjectKey(who: BudgetSubject): string {
  let key = subjectKeys.get(who);
  if (key === undefined) {
    key = joinedSubjectKey(who);
    subjectKeys.set(who, key);
  }
  return key;
}

/**
 * Each subject's key, remembered by the subject (the same object for a cached caller: budget-request.ts),
 * so a session's requests look the cache up with one string whose hash is known, not a new joined one.
 */
const subjectKeys = new WeakMap<BudgetSubject, string>();

function joinedSubjectKey(who: BudgetSubject): string {
  const groups = who.groups.length < 2 ? who.groups : [...who.groups].sort();
  return `${who.type}\u0000${who.id}\u0000${who.teamId}\u0000${who.businessUnitId}\u0000${who.keyId}\u0000${groups.join('\u0001')}`;
}
