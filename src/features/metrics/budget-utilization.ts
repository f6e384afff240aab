// Budget utilization at scrape time: for every pooled budget of every tenant in the active bundle, the
// spend settled in its current period over its amount, read from the budget store (one read per tenant).
// A group's pool is one counter shared by its members, so it is in like a team's. Per-user and per-key
// budgets and per-seat counters are left out: they would be a series per holder.
import { Gauge, type Registry } from 'prom-client';
import { type BudgetConfig, budgetAmount } from '../../config/policy-config.ts';
import { periodWindow } from '../../core/budgets/budget-period.ts';
import type { Clock } from '../../core/clock/clock.ts';
import type { BudgetCharge, BudgetStore } from '../../storage/budget-port.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import { tenantBudgets } from '../bundles/tenant-config.ts';

/** Budgets are config, so this only guards a scrape against a pathological bundle. */
export const MAX_BUDGET_SERIES = 1_000;

export interface BudgetUtilizationSources {
  bundle: Pick<ActiveBundle, 'current'>;
  budgets: Pick<BudgetStore, 'standings'>;
  clock: Clock;
  logger: { warn(obj: object, msg: string): void };
}

type Labels = 'tenant' | 'budget' | 'period';

export function budgetUtilizationGauge(registry: Registry, sources: BudgetUtilizationSources): void {
  new Gauge<Labels>({
    name: 'llm_rules_budget_utilization_ratio',
    help: 'Spend settled in the current period over the budget amount (1 = used up), per pooled budget and tenant.',
    labelNames: ['tenant', 'budget', 'period'],
    registers: [registry],
    async collect() {
      const values = await readUtilization(sources);
      // Set all at once after the reads, so a budget removed from the config disappears.
      this.reset();
      for (const { labels, ratio } of values) this.set(labels, ratio);
    },
  });
}

export async function readUtilization(
  sources: BudgetUtilizationSources,
): Promise<{ labels: Record<Labels, string>; ratio: number }[]> {
  const content = sources.bundle.current()?.content;
  if (!content) return [];
  const now = sources.clock.now();
  let room = MAX_BUDGET_SERIES;
  const reads = [content.org.tenant.id, ...content.tenants.map((t) => t.id)].map(async (tenant) => {
    const budgets = tenantBudgets(content, tenant).filter(isPooled).slice(0, Math.max(0, room));
    room -= budgets.length;
    if (budgets.length === 0) return [];
    const charges: BudgetCharge[] = budgets.map((b) => ({
      key: b.id,
      periodStart: periodWindow(b.period, now).start,
      limitMicro: Math.round(budgetAmount(b) * 1_000_000),
    }));
    try {
      const standings = await sources.budgets.standings(tenant, charges, now);
      return budgets.map((b, i) => ({
        labels: { tenant, budget: b.id, period: b.period },
        ratio: ratioOf(standings[i]?.spentMicro ?? 0, charges[i]!.limitMicro),
      }));
    } catch (error) {
      sources.logger.warn({ err: error, tenant }, 'budget utilization could not be read for /metrics');
      return [];
    }
  });
  return (await Promise.all(reads)).flat();
}

/**
 * A pooled budget of a tenant, business unit, team or group: one counter, named by its id. A user's or a
 * key's budget also has one counter, but is one holder's own cap, left out like the per-person ones.
 */
function isPooled(budget: BudgetConfig): boolean {
  const own = budget.scope.level === 'user' || budget.scope.level === 'key';
  return budget.mode === 'pooled' && !own && !budget.unlimited;
}

/** A budget of nothing is used up from the start. */
function ratioOf(spentMicro: number, limitMicro: number): number {
  return limitMicro > 0 ? spentMicro / limitMicro : 1;
}
