// `GET /api/oauth/usage`: the dollar view of a developer's caps that Claude Code shows in `/usage` and its
// status line, in the shape the Claude Code gateway protocol gives (amounts in cents, percents whole).

import type { BudgetConfig } from '../../config/policy-config.ts';
import { applicableBudgets } from '../../core/budgets/applicable-budgets.ts';
import { periodWindow } from '../../core/budgets/budget-period.ts';
import { type CapStanding, fullestCap, utilizationOf } from '../../core/budgets/usage-limit-headers.ts';
import type { BudgetStore } from '../../storage/budget-port.ts';
import type { UsageStore } from '../../storage/usage-port.ts';
import type { ApprovedIncreases } from './budget-guard.ts';
import { budgetSubject } from './budget-request.ts';
import type { Caller } from './gateway-caller.ts';

const cents = (micro: number) => Math.round(micro / 10_000);
const percent = (cap: CapStanding) => Math.floor(utilizationOf(cap) * 100);

export async function usageReport(
  deps: {
    budgets: BudgetStore;
    usage: UsageStore;
    approvals: ApprovedIncreases;
    /** The budgets that apply in the caller's tenant (the config's and the spend-limits API's). */
    configs: readonly BudgetConfig[];
  },
  caller: Caller,
  now: Date,
): Promise<Record<string, unknown>> {
  const { who } = caller;
  const { configs } = deps;
  // Limits as the gateway enforces them: a soft cap plus what was approved.
  const approved = configs.some((b) => b.approval_required_above !== undefined)
    ? await deps.approvals.forTenant(who.tenantId, now)
    : undefined;
  const budgets = applicableBudgets(configs, budgetSubject(who), now, approved);
  if (budgets.length === 0) {
    // No cap: what they spent this UTC month, day and week, and nulls where a cap would be (0 would mean $0).
    const spent = (period: 'monthly' | 'daily' | 'weekly') =>
      deps.usage.spend(who.tenantId, { since: periodWindow(period, now).start, principal: who.principal });
    const [month, day, week] = await Promise.all([spent('monthly'), spent('daily'), spent('weekly')]);
    return {
      extra_usage: {
        is_enabled: true,
        monthly_limit: null,
        used_credits: cents(month),
        utilization: null,
        currency: 'USD',
        daily: { limit: null, used_credits: cents(day), utilization: null },
        weekly: { limit: null, used_credits: cents(week), utilization: null },
      },
      limits: [],
    };
  }
  const standings = await deps.budgets.standings(
    who.tenantId,
    budgets.map((b) => ({ key: b.key, periodStart: b.periodStart, limitMicro: b.limitMicro })),
    now,
  );
  const caps = budgets.map(
    (b, i): CapStanding => ({
      spentMicro: standings[i]!.spentMicro,
      limitMicro: b.limitMicro,
      resetsAt: b.resetsAt,
      period: b.period,
      pooled: b.holder === 'pool',
    }),
  );
  // The same cap the response headers describe, so the client can pair the dollars with the percent.
  const active = fullestCap(caps)!;
  return {
    extra_usage: {
      is_enabled: true,
      monthly_limit: cents(active.limitMicro),
      used_credits: cents(active.spentMicro),
      utilization: percent(active),
      currency: 'USD',
    },
    limits: caps.map((cap) => ({
      kind: 'spend',
      group: cap.period,
      percent: percent(cap),
      resets_at: cap.resetsAt.toISOString(),
      severity: percent(cap) >= 95 ? 'critical' : percent(cap) >= 75 ? 'warning' : 'normal',
      is_active: cap === active,
    })),
  };
}
