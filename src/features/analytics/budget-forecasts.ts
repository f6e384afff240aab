// Each pooled budget's standing for its period from the day rollups, with the period-end forecast and the
// variance against its amount. Per-seat budgets cap each member separately, so their scope's total is
// shown without a forecast against one amount. Key and group budgets are listed but neither forecast nor
// summed: the rollups have no key or group dimension, and the tenant's spend in their place would be wrong.
import {
  type BudgetConfig,
  budgetAmount,
  isOrgBudget,
  type OrgRef,
  type PolicyConfig,
} from '../../config/policy-config.ts';
import { formatBudgetScope } from '../../config/schema/budget-scope-schema.ts';
import { type Forecast, forecastSpend } from '../../core/analytics/forecast.ts';
import type { Dimension } from '../../core/analytics/rollup.ts';
import { periodWindow } from '../../core/budgets/budget-period.ts';
import type { TelemetryStore } from '../../storage/telemetry-port.ts';
import { tenantBudgets } from '../bundles/tenant-config.ts';
import { DAY_MS } from './time-window.ts';

export interface BudgetForecast {
  budget: string;
  scope: string;
  mode: BudgetConfig['mode'];
  period: BudgetConfig['period'];
  amount_usd: number;
  period_start: string;
  period_end: string;
  /** Null for per-seat budgets (see above); their spend is in `scope_spent_usd`. */
  forecast: Forecast | null;
  /** Null for key and group budgets: the rollups cannot tell one key's or group's spend from the tenant's. */
  scope_spent_usd: number | null;
  /**
   * Why `forecast` is null: each seat has the amount (`per_seat`), or no spend per key (`key`) or per
   * group (`group`) is rolled up.
   */
  not_forecast: NotForecast | null;
}

export type NotForecast = 'per_seat' | 'key' | 'group';

export function scopeFilter(scope: OrgRef): Partial<Record<Dimension, string[]>> {
  if (scope.level === 'tenant' || !scope.id) return {};
  const dimension: Dimension = scope.level === 'business_unit' ? 'business_unit' : scope.level;
  return { [dimension]: [scope.id] };
}

export async function budgetForecasts(
  telemetry: Pick<TelemetryStore, 'rollups'>,
  content: PolicyConfig,
  tenantId: string,
  now: Date,
  include: (budget: BudgetConfig) => boolean = () => true,
): Promise<BudgetForecast[]> {
  const out: BudgetForecast[] = [];
  for (const budget of tenantBudgets(content, tenantId)) {
    if (budget.unlimited || !include(budget)) continue;
    const window = periodWindow(budget.period, now);
    if (!isOrgBudget(budget)) {
      const why = budget.scope.level === 'group' ? 'group' : 'key';
      out.push({ ...standingOf(budget, window), forecast: null, scope_spent_usd: null, not_forecast: why });
      continue;
    }
    const days = await telemetry.rollups(tenantId, {
      granularity: 'day',
      since: window.start,
      until: new Date(now.getTime() + 1),
      where: scopeFilter(budget.scope),
      groupBy: [],
      byBucket: true,
    });
    const count = Math.floor((now.getTime() - window.start.getTime()) / DAY_MS) + 1;
    const dailyMicro = new Array<number>(count).fill(0);
    for (const day of days) {
      const index = Math.floor(((day.key.bucket ?? 0) - window.start.getTime()) / DAY_MS);
      if (index >= 0 && index < count) dailyMicro[index]! += day.measures.cost_micro;
    }
    const pooled = budget.mode === 'pooled';
    out.push({
      ...standingOf(budget, window),
      forecast: pooled
        ? forecastSpend({
            amountUsd: budgetAmount(budget),
            periodStart: window.start,
            periodEnd: window.end,
            now,
            dailyMicro,
          })
        : null,
      scope_spent_usd: Math.round(dailyMicro.reduce((a, b) => a + b, 0) / 10_000) / 100,
      not_forecast: pooled ? null : 'per_seat',
    });
  }
  return out;
}

/** What a budget's row says whether or not it is forecast. */
function standingOf(
  budget: BudgetConfig,
  window: { start: Date; end: Date },
): Omit<BudgetForecast, 'forecast' | 'scope_spent_usd' | 'not_forecast'> {
  return {
    budget: budget.id,
    scope: formatBudgetScope(budget.scope),
    mode: budget.mode,
    period: budget.period,
    amount_usd: budgetAmount(budget),
    period_start: window.start.toISOString(),
    period_end: window.end.toISOString(),
  };
}
