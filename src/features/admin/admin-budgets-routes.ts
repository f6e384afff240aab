// Admin API: budgets (as configured, with the pooled spend of this period) and the increases past a
// soft cap, requested, approved and denied through the same service the CLI uses (four eyes included).
// Each budget is reached at its own scope node: a team lead sees and decides their team's budgets. A key
// or group budget is reached at the tenant only: its key is in no node of the config, and a group's members
// may sit in any team, so team grants never reach it.
import { z } from 'zod';
import { type BudgetConfig, budgetAdminNode, budgetAmount } from '../../config/policy-config.ts';
import { formatBudgetScope } from '../../config/schema/budget-scope-schema.ts';
import { pathTo, permits } from '../../core/authz/admin-grants.ts';
import { periodWindow } from '../../core/budgets/budget-period.ts';
import { NotFoundError } from '../../core/errors/app-error.ts';
import type { BudgetIncrease } from '../../storage/budget-increase-port.ts';
import { BudgetIncreases } from '../budgets/budget-increases.ts';
import { tenantBudgets } from '../bundles/tenant-config.ts';
import type { AdminDeps } from './admin-deps.ts';
import { tenantParams } from './admin-org-routes.ts';
import { adminRoute } from './admin-route.ts';

const budgetView = z.object({
  id: z.string(),
  scope: z.string(),
  mode: z.enum(['pooled', 'per_seat']),
  period: z.enum(['daily', 'weekly', 'monthly']),
  amount_usd: z.number(),
  soft_cap_usd: z.number().nullable(),
  period_start: z.string(),
  resets_at: z.string(),
  spent_usd: z
    .number()
    .nullable()
    .describe(
      'pooled and key budgets (one counter each, a group pool too): this period so far; null for per-seat ones',
    ),
});

const increaseView = z.object({
  id: z.string(),
  budget: z.string(),
  counter: z.string(),
  amount_usd: z.number(),
  reason: z.string(),
  status: z.enum(['pending', 'approved', 'denied']),
  requested_by: z.string(),
  requested_at: z.string(),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  note: z.string().nullable(),
});

const increase = (i: BudgetIncrease): z.infer<typeof increaseView> => ({
  id: i.id,
  budget: i.budgetId,
  counter: i.counterKey,
  amount_usd: i.amountMicro / 1_000_000,
  reason: i.reason,
  status: i.status,
  requested_by: i.requestedBy,
  requested_at: i.at.toISOString(),
  decided_by: i.decidedBy,
  decided_at: i.decidedAt?.toISOString() ?? null,
  expires_at: i.expiresAt?.toISOString() ?? null,
  note: i.note,
});

const decision = z.object({
  expires_in_days: z.int().min(1).max(366).optional(),
  note: z.string().max(500).optional(),
});

export function budgetsRoutes(deps: AdminDeps) {
  const service = () => new BudgetIncreases(deps.storage, deps.audit, deps.clock);
  const budgetOf = (
    content: Parameters<typeof tenantBudgets>[0],
    tenantId: string,
    id: string,
  ): BudgetConfig => {
    const found = tenantBudgets(content, tenantId).find((b) => b.id === id);
    if (!found) throw new NotFoundError('budget', id);
    return found;
  };
  const increaseOf = async (tenantId: string, id: string) => {
    const found = await deps.storage.budgetIncreases.get(tenantId, id);
    if (!found) throw new NotFoundError('increase', id);
    return found;
  };
  return [
    adminRoute({
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/budgets',
      summary:
        'The budgets the caller may read (budgets:read at each budget scope), with this period’s pooled spend',
      tag: 'budgets',
      permission: 'budgets:read',
      params: tenantParams,
      response: z.array(budgetView),
      scope: 'filtered',
      async handle({ caller, tenantId }) {
        const now = deps.clock.now();
        const visible = tenantBudgets(caller.content, tenantId).filter((b) =>
          permits(caller.grants, 'budgets:read', pathTo(caller.org, budgetAdminNode(b.scope))),
        );
        const rows = [];
        for (const b of visible) {
          const window = periodWindow(b.period, now);
          const amount = budgetAmount(b);
          const [standing] =
            b.mode === 'pooled'
              ? await deps.storage.budgets.standings(
                  tenantId,
                  [{ key: b.id, periodStart: window.start, limitMicro: amount * 1_000_000 }],
                  now,
                )
              : [undefined];
          rows.push({
            id: b.id,
            scope: formatBudgetScope(b.scope),
            mode: b.mode,
            period: b.period,
            amount_usd: amount,
            soft_cap_usd: b.approval_required_above ?? null,
            period_start: window.start.toISOString(),
            resets_at: window.end.toISOString(),
            spent_usd: standing ? standing.spentMicro / 1_000_000 : null,
          });
        }
        return rows;
      },
    }),
    adminRoute({
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/budget-increases',
      summary: 'Increases past soft caps of the budgets the caller may read, newest first',
      tag: 'budgets',
      permission: 'budgets:read',
      params: tenantParams,
      query: z.object({ status: z.enum(['pending', 'approved', 'denied']).optional() }),
      response: z.array(increaseView),
      scope: 'filtered',
      async handle({ caller, tenantId, query }) {
        const readable = new Set(
          tenantBudgets(caller.content, tenantId)
            .filter((b) =>
              permits(caller.grants, 'budgets:read', pathTo(caller.org, budgetAdminNode(b.scope))),
            )
            .map((b) => b.id),
        );
        const all = await deps.storage.budgetIncreases.list(
          tenantId,
          query.status ? { status: query.status } : {},
        );
        return all.filter((i) => readable.has(i.budgetId)).map(increase);
      },
    }),
    adminRoute({
      method: 'POST',
      path: '/api/v1/tenants/{tenant}/budget-increases',
      summary: 'Requests an increase past a budget’s soft cap (another person approves it)',
      tag: 'budgets',
      permission: 'budgets:write',
      params: tenantParams,
      body: z.object({
        budget: z.string().min(1),
        amount_usd: z.number().positive(),
        reason: z.string().min(1).max(500),
        user: z.email().optional().describe('for a per-seat budget: whose seat'),
      }),
      response: increaseView,
      target: ({ caller, tenantId, body }) =>
        budgetAdminNode(budgetOf(caller.content, tenantId, body.budget).scope),
      async handle({ caller, tenantId, body }) {
        const made = await service().request({
          tenantId,
          budgetId: body.budget,
          amountDollars: body.amount_usd,
          reason: body.reason,
          user: body.user,
          by: caller.actor,
        });
        return {
          answer: increase(made),
          action: 'budget_increase_requested',
          target: `increase:${made.id}`,
          before: null,
          after: increase(made),
          created: true,
        };
      },
    }),
    ...(['approve', 'deny'] as const).map((verb) =>
      adminRoute({
        method: 'POST',
        path: `/api/v1/tenants/{tenant}/budget-increases/{id}/${verb}`,
        summary:
          verb === 'approve' ? 'Approves a pending increase (not one’s own)' : 'Denies a pending increase',
        tag: 'budgets',
        permission: 'budgets:write',
        params: tenantParams.extend({ id: z.string().min(1) }),
        body: decision,
        response: increaseView,
        target: async ({ caller, tenantId, params }) =>
          budgetAdminNode(
            budgetOf(caller.content, tenantId, (await increaseOf(tenantId, params.id)).budgetId).scope,
          ),
        async handle({ caller, tenantId, params, body }) {
          const before = increase(await increaseOf(tenantId, params.id));
          const input = {
            tenantId,
            id: params.id,
            by: caller.actor,
            ...(body?.expires_in_days ? { ttlMs: body.expires_in_days * 86_400_000 } : {}),
            ...(body?.note ? { note: body.note } : {}),
          };
          const after = increase(
            verb === 'approve' ? await service().approve(input) : await service().deny(input),
          );
          return {
            answer: after,
            action: `budget_increase_${verb === 'approve' ? 'approved' : 'denied'}`,
            target: `increase:${params.id}`,
            before,
            after,
          };
        },
      }),
    ),
  ];
}
