// What a client is told when a budget refuses its request: one sentence naming the budget, its period
// and reset, and what to do next (ask for an increase of a soft cap, or for a higher budget).

import type { OrgRef } from '../../config/policy-config.ts';
import { formatOrgRef } from '../../config/schema/common-schemas.ts';
import type { ApplicableBudget } from '../../core/budgets/applicable-budgets.ts';
import { formatDollars } from '../../core/pricing/usage-cost.ts';

const PERIOD_WORD = { daily: 'a day', weekly: 'a week', monthly: 'a month' } as const;

/** Stopped by its soft cap (plus what was approved), not by its amount: an approved increase lets work go on. */
export function isSoftCapped(budget: ApplicableBudget): boolean {
  return budget.limitMicro < budget.hardLimitMicro;
}

/** One sentence: which budget, when it resets, what to do. */
export function budgetRefusal(budget: ApplicableBudget, now: Date): string {
  const resets = budget.resetsAt.toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
    ...(budget.resetsAt.getTime() - now.getTime() < 86_400_000
      ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : {}),
  });
  const whose = whoseBudget(budget);
  const per = PERIOD_WORD[budget.period];
  if (isSoftCapped(budget)) {
    const approved = budget.approvedMicro > 0 ? ` + ${formatDollars(budget.approvedMicro)} approved` : '';
    const seat = budget.key.includes('/seat:')
      ? ` --user ${budget.key.slice(budget.key.indexOf('/seat:') + 6)}`
      : '';
    return `approval needed: ${whose} budget "${budget.budget.id}" reached its soft cap (${formatDollars(budget.softLimitMicro!)}${approved} of ${formatDollars(budget.hardLimitMicro)} ${per}) · resets ${resets} UTC · ask your LLM-RULES admin for an increase (llm-rules budgets request ${budget.budget.id}${seat} --amount DOLLARS)`;
  }
  return `spend limit reached: ${whose} budget "${budget.budget.id}" (${formatDollars(budget.limitMicro)} ${per}) · resets ${resets} UTC · ask your LLM-RULES admin to raise it`;
}

/**
 * The holder, as the caller reads it: their own cap (of their key, or of theirs, a group seat included),
 * else the shared scope's; a group is named by its id, quoted, since it is no place in the org tree.
 */
function whoseBudget(budget: ApplicableBudget): string {
  const scope = budget.budget.scope;
  if (scope.level === 'key') return "your key's";
  if (budget.holder === 'user') return 'your';
  return scope.level === 'group' ? `the group "${scope.id}"` : `the ${describeScope(scope)}`;
}

function describeScope(scope: OrgRef): string {
  return scope.level === 'tenant' ? 'organisation' : formatOrgRef(scope).replace(':', ' ').replace('_', ' ');
}
