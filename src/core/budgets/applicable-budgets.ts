// Which budgets a request counts against, and under which counter: a pooled budget has one counter for
// its whole scope; a per-seat budget one counter per user in its scope, unless the user has a budget of
// their own, which then replaces the seat's amount (a user override).

import { type BudgetConfig, budgetAmount, type OrgRef } from '../../config/policy-config.ts';
import { type BudgetPeriod, periodWindow } from './budget-period.ts';

export interface BudgetSubject {
  /** `user` or `service_account`. */
  type: string;
  id: string;
  businessUnitId: string | null;
  teamId: string | null;
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
  limitMicro: number;
}

export function applicableBudgets(
  budgets: readonly BudgetConfig[],
  who: BudgetSubject,
  now: Date,
): ApplicableBudget[] {
  const covers = (scope: OrgRef): boolean =>
    scope.level === 'tenant' ||
    (scope.level === 'business_unit' && scope.id === who.businessUnitId) ||
    (scope.level === 'team' && scope.id === who.teamId) ||
    (scope.level === 'user' && who.type === 'user' && scope.id === who.id);
  const hasOwnBudget = budgets.some((b) => b.scope.level === 'user' && covers(b.scope));
  const out: ApplicableBudget[] = [];
  for (const budget of budgets) {
    if (!covers(budget.scope)) continue;
    const seat = budget.mode === 'per_seat';
    if (seat && hasOwnBudget) continue;
    const window = periodWindow(budget.period, now);
    const own = budget.scope.level === 'user' || seat;
    out.push({
      budget,
      key: seat ? `${budget.id}/seat:${who.type === 'user' ? who.id : `${who.type}:${who.id}`}` : budget.id,
      holder: own ? 'user' : 'pool',
      period: budget.period,
      periodStart: window.start,
      resetsAt: window.end,
      limitMicro: Math.round(budgetAmount(budget) * 1_000_000),
    });
  }
  return out;
}
