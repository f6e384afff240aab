// Spend limits in the shape of Anthropic's Admin API (`type: "spend_limit"`, amounts as integer strings
// of cents, a `scope` tagged union): the ones set through the API, and the per-member budgets of
// org/budgets.yaml seen the same way (read-only: ids `spl_config_<budget>`). Scope types beyond
// Anthropic's (`team`, `business_unit`, `group`) are ours; clients are told to let unknown types through.
// A group's seats are member caps like a team's and appear here; its pool and key budgets are not spend
// limits (those are per person) and do not.
import type { BudgetConfig, GroupRef, OrgRef } from '../../config/policy-config.ts';
import type { ApplicableBudget } from '../../core/budgets/applicable-budgets.ts';
import type { SpendLimitRecord } from '../../storage/spend-limit-port.ts';

export const CONFIG_ID_PREFIX = 'spl_config_';

export type ScopeView =
  | { type: 'user'; user_id: string }
  | { type: 'organization' }
  | { type: 'business_unit'; business_unit_id: string }
  | { type: 'team'; team_id: string }
  | { type: 'group'; group_id: string };

export interface SpendLimitView {
  type: 'spend_limit';
  id: string;
  scope: ScopeView;
  amount: string | null;
  currency: 'USD';
  period: 'daily' | 'weekly' | 'monthly';
  is_enabled: true;
  created_at: string;
  updated_at: string;
  /** Ours: `api` (set through this API) or `config` (org/budgets.yaml; change it there). */
  source: 'api' | 'config';
}

/** Where a member's cap can sit: an org node, or a group of users (a group's per-seat budget). */
export type MemberCapScope = OrgRef | GroupRef;

/** A budget that can cap a member: any but a key's. */
export type MemberBudgetConfig = BudgetConfig & { scope: MemberCapScope };

export function scopeView(scope: MemberCapScope): ScopeView {
  if (scope.level === 'group') return { type: 'group', group_id: scope.id };
  if (scope.level === 'user') return { type: 'user', user_id: scope.id! };
  if (scope.level === 'team') return { type: 'team', team_id: scope.id! };
  if (scope.level === 'business_unit') return { type: 'business_unit', business_unit_id: scope.id! };
  return { type: 'organization' };
}

export function apiLimitView(limit: SpendLimitRecord): SpendLimitView {
  return {
    type: 'spend_limit',
    id: limit.id,
    scope: { type: 'user', user_id: limit.userId },
    amount: limit.amountCents === null ? null : String(limit.amountCents),
    currency: 'USD',
    period: limit.period,
    is_enabled: true,
    created_at: limit.createdAt.toISOString(),
    updated_at: limit.updatedAt.toISOString(),
    source: 'api',
  };
}

function isMemberBudget(budget: BudgetConfig): budget is MemberBudgetConfig {
  return budget.scope.level !== 'key';
}

/**
 * A budget of the config that limits each member: a user's own, or a per-seat one (a group's included).
 * Pools are not, and neither are key budgets: a spend limit is a person's, and a key budget caps one of
 * their keys only.
 */
export function isPerMember(budget: BudgetConfig): budget is MemberBudgetConfig {
  return isMemberBudget(budget) && (budget.scope.level === 'user' || budget.mode === 'per_seat');
}

/** An applicable budget that caps the person themself (their own, or a seat), not a pool or a key. */
export function isMemberCap(cap: ApplicableBudget): cap is ApplicableBudget & { budget: MemberBudgetConfig } {
  return cap.holder === 'user' && isMemberBudget(cap.budget);
}

/** A per-member config budget as a spend limit; dated by the bundle that made it active. */
export function configLimitView(budget: MemberBudgetConfig, activeSince: Date): SpendLimitView {
  return {
    type: 'spend_limit',
    id: `${CONFIG_ID_PREFIX}${budget.id}`,
    scope: scopeView(budget.scope),
    amount: String(Math.round((budget.amount ?? budget.monthly_budget ?? 0) * 100)),
    currency: 'USD',
    period: budget.period,
    is_enabled: true,
    created_at: activeSince.toISOString(),
    updated_at: activeSince.toISOString(),
    source: 'config',
  };
}

/** Micro-dollars as Anthropic writes spend: cents, up to three decimals. */
export function centsOf(micro: number): string {
  return String(Math.round(micro / 10) / 1000);
}
