// Which budgets a request counts against, and under which counter: a pooled budget has one counter for
// its whole scope; a per-seat budget one counter per user in its scope. A user's seat is, in order: a
// budget of their own (a user override; an `unlimited` one caps nothing itself), else the seats of their
// business unit, team and groups (each with its own counter, so the most restrictive caps them), else the
// tenant's seat (the org default). A group's budget applies to its members only: pooled, they share one
// counter; per seat, it is a seat like a team's. A budget with a soft cap (`approval_required_above`)
// stops there unless increases were approved, and never passes its amount. A key budget caps the requests
// of one API key on top of all that: it is the caller's own, and replaces no seat (the seat is the
// person's, whichever key they use).

import { type BudgetConfig, type BudgetScope, budgetAmount } from '../../config/policy-config.ts';
import { type BudgetPeriod, periodWindow } from './budget-period.ts';

export interface BudgetSubject {
  /** `user` or `service_account`. */
  type: string;
  id: string;
  businessUnitId: string | null;
  teamId: string | null;
  /** The API key the request came with; null when the subject is a person, not a request (spend-limit views). */
  keyId: string | null;
  /**
   * The groups (`groups:` ids) the subject is a member of: configured ones, and for a signed-in user those
   * their IdP groups map to. Required so every caller decides, since a forgotten list drops group budgets.
   */
  groups: readonly string[];
}

export interface ApplicableBudget {
  budget: BudgetConfig;
  /** The counter: the budget id, and for a per-seat budget the seat (`platform-team/seat:ada@acme.test`). */
  key: string;
  /** `user`: a cap of this person's own (their budget, or their seat); `pool`: shared with others. */
  holder: 'user' | 'pool';
  period: BudgetPeriod;
  periodStart: Date;
  resetsAt: Date;
  /** What the counter may reach now: the hard cap, or the soft cap plus approved increases if that is less. */
  limitMicro: number;
  /** The budget's amount. */
  hardLimitMicro: number;
  /** `approval_required_above`, when the budget has one. */
  softLimitMicro: number | null;
  /** Approved increases counted in `limitMicro` (0 without a soft cap). */
  approvedMicro: number;
}

/** Approved increases of a counter in a period, in micro-dollars (see BudgetIncreaseStore.approved). */
export type ApprovedLookup = (key: string, periodStart: Date) => number;

const NONE_APPROVED: ApprovedLookup = () => 0;

export function applicableBudgets(
  budgets: readonly BudgetConfig[],
  who: BudgetSubject,
  now: Date,
  approved: ApprovedLookup = NONE_APPROVED,
): ApplicableBudget[] {
  const covers = (scope: BudgetScope): boolean =>
    scope.level === 'tenant' ||
    (scope.level === 'business_unit' && scope.id === who.businessUnitId) ||
    (scope.level === 'team' && scope.id === who.teamId) ||
    (scope.level === 'user' && who.type === 'user' && scope.id === who.id) ||
    (scope.level === 'key' && scope.id === who.keyId) ||
    (scope.level === 'group' && who.groups.includes(scope.id));
  const hasOwnBudget = budgets.some((b) => b.scope.level === 'user' && covers(b.scope));
  // A tenant-wide seat is the org default: the seats of the user's business unit, team or groups replace
  // it, larger or not (an unlimited one included: it leaves them no seat; only a user's can be, today).
  const hasNarrowerSeat = budgets.some(
    (b) => b.mode === 'per_seat' && b.scope.level !== 'tenant' && covers(b.scope),
  );
  const out: ApplicableBudget[] = [];
  for (const budget of budgets) {
    if (!covers(budget.scope)) continue;
    const seat = budget.mode === 'per_seat';
    if (seat && (hasOwnBudget || (hasNarrowerSeat && budget.scope.level === 'tenant'))) continue;
    if (budget.unlimited) continue;
    const window = periodWindow(budget.period, now);
    const own = budget.scope.level === 'user' || budget.scope.level === 'key' || seat;
    const key = seat ? seatKey(budget.id, who) : budget.id;
    const hard = toMicro(budgetAmount(budget));
    const soft =
      budget.approval_required_above === undefined ? null : toMicro(budget.approval_required_above);
    const raised = soft === null ? 0 : approved(key, window.start);
    out.push({
      budget,
      key,
      holder: own ? 'user' : 'pool',
      period: budget.period,
      periodStart: window.start,
      resetsAt: window.end,
      limitMicro: soft === null ? hard : Math.min(hard, soft + raised),
      hardLimitMicro: hard,
      softLimitMicro: soft,
      approvedMicro: raised,
    });
  }
  return out;
}

/** The counter of one seat of a per-seat budget: `<budget>/seat:<email>` (`…/seat:service_account:<id>`). */
export function seatKey(budgetId: string, who: Pick<BudgetSubject, 'type' | 'id'>): string {
  return `${budgetId}/seat:${who.type === 'user' ? who.id : `${who.type}:${who.id}`}`;
}

const toMicro = (dollars: number) => Math.round(dollars * 1_000_000);
