// `/v1/organizations/spend_limits` in the shape of Anthropic's Admin API, so its existing clients work
// against this server: list, effective report, get, set (upsert per user and period) and delete. The
// caller is an admin-scoped key (`x-api-key` or Bearer) or a console session; the organization is the
// caller's tenant. Reads need `budgets:read` and answer only what lies under the nodes where the caller
// has it; a change needs `budgets:write` at the user's node and is an `admin_action` audit event.
//
// What differs from Anthropic's: users are named by their email (our principal id); only `user` limits
// can be set here — organization, business-unit, team and group defaults are per-seat budgets in
// org/budgets.yaml, listed read-only (a group's to readers at the tenant, as its members may sit in any
// team); a limit here never lifts a pooled budget (see spend-limits.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { budgetAdminNode, type OrgRef } from '../../config/policy-config.ts';
import { pathTo, permits } from '../../core/authz/admin-grants.ts';
import { applicableBudgets } from '../../core/budgets/applicable-budgets.ts';
import { periodWindow } from '../../core/budgets/budget-period.ts';
import type { Clock } from '../../core/clock/clock.ts';
import { AppError, NotFoundError, ValidationError } from '../../core/errors/app-error.ts';
import type { BudgetStore } from '../../storage/budget-port.ts';
import type { OrgStore, UserRecord } from '../../storage/ports.ts';
import type { SignInStore } from '../../storage/sign-in-port.ts';
import type { UsageStore } from '../../storage/usage-port.ts';
import {
  type AdminAuthDeps,
  type AdminCaller,
  authenticateAdmin,
  authorizeAdmin,
} from '../admin/admin-caller.ts';
import { parseInput } from '../admin/admin-route.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { tenantBudgets } from '../bundles/tenant-config.ts';
import type { ApprovedIncreases } from '../gateway/budget-guard.ts';
import { memberBudgetSubject } from '../sign-in/identity-mapping.ts';
import {
  apiLimitView,
  CONFIG_ID_PREFIX,
  centsOf,
  configLimitView,
  isMemberCap,
  isPerMember,
  type ScopeView,
  type SpendLimitView,
  scopeView,
} from './spend-limit-views.ts';
import type { SpendLimits } from './spend-limits.ts';

const PERIODS = ['daily', 'weekly', 'monthly'] as const;

/** One row of the effective report (Anthropic's SpendSummary). */
interface EffectiveRow {
  scope: { type: 'user'; user_id: string };
  actor: { type: 'user_actor'; user_id: string; name: string | null; email_address: string; deleted: false };
  amount: string | null;
  currency: 'USD';
  period: 'daily' | 'weekly' | 'monthly';
  source: ScopeView;
  spend_limit_id: string | null;
  period_to_date_spend: string;
}

export interface SpendLimitRouteDeps extends AdminAuthDeps {
  limits: SpendLimits;
  org: OrgStore;
  signIn: Pick<SignInStore, 'listSessions'>;
  budgetStore: BudgetStore;
  usageStore: UsageStore;
  approvals: ApprovedIncreases;
  audit: AuditLog;
  clock: Clock;
}

const setBody = z.strictObject({
  scope: z.object({ type: z.string(), user_id: z.string().optional() }).passthrough(),
  amount: z.union([
    z.string().regex(/^\d{1,12}$/, 'a non-negative integer number of cents, as a string'),
    z.null(),
  ]),
  period: z.enum(PERIODS).default('monthly'),
});

export function spendLimitRoutes(app: FastifyInstance, deps: SpendLimitRouteDeps): void {
  const readable = (caller: AdminCaller, permission: string, node: OrgRef, team?: string | null) =>
    permits(caller.grants, permission, pathTo(caller.org, node, team));

  /** Every limit the caller may read: the API's, then the config's per-member budgets. */
  const visibleLimits = async (caller: AdminCaller): Promise<SpendLimitView[]> => {
    authorizeAdmin(caller, 'budgets:read', 'anywhere');
    const since = deps.bundle.current()?.loadedAt ?? new Date(0);
    const configured = tenantBudgets(caller.content, caller.tenantId)
      .filter(isPerMember)
      .filter((b) => readable(caller, 'budgets:read', budgetAdminNode(b.scope)))
      .map((b) => configLimitView(b, since));
    const stored = (await deps.limits.store.list(caller.tenantId))
      .filter((l) => readable(caller, 'budgets:read', { level: 'user', id: l.userId }))
      .map(apiLimitView);
    return [...configured, ...stored];
  };

  app.get('/v1/organizations/spend_limits', async (request) => {
    const caller = await authenticateAdmin(deps, request, false);
    const query = queryOf(request);
    const types = list(query, 'scope_type');
    const limits = (await visibleLimits(caller)).filter(
      (l) => types.length === 0 || types.includes(l.scope.type),
    );
    return paginate(limits, query, `list:${types.join(',')}`);
  });

  app.get('/v1/organizations/spend_limits/effective', async (request) => {
    const caller = await authenticateAdmin(deps, request, false);
    authorizeAdmin(caller, 'budgets:read', 'anywhere');
    const query = queryOf(request);
    const userIds = list(query, 'user_ids').map((u) => u.toLowerCase());
    const periods = list(query, 'period');
    if (userIds.length > 100)
      throw new ValidationError('query.user_ids: at most 100 users', { field: 'query.user_ids' });
    const members = (await deps.org.listUsers(caller.tenantId))
      .filter((u) => u.deprovisionedAt === null)
      .filter((u) => userIds.length === 0 || userIds.includes(u.id))
      .filter((u) => readable(caller, 'budgets:read', { level: 'user', id: u.id }, u.teamId))
      .sort((a, b) => a.id.localeCompare(b.id));
    // Members are what a page counts (a member's rows are never split across pages).
    const page = paginate(members, query, `effective:${userIds.join(',')}:${periods.join(',')}`);
    const rows = await effectiveRows(caller, page.data, periods);
    return { data: rows, next_page: page.next_page };
  });

  app.get('/v1/organizations/spend_limits/:id', async (request) => {
    const caller = await authenticateAdmin(deps, request, false);
    const { id } = request.params as { id: string };
    const found = (await visibleLimits(caller)).find((l) => l.id === id);
    if (!found) throw new NotFoundError('spend limit', id);
    return found;
  });

  app.post('/v1/organizations/spend_limits', async (request) => {
    const caller = await authenticateAdmin(deps, request, true);
    const body = parseInput(setBody, request.body, 'body');
    if (body.scope.type !== 'user' || !body.scope.user_id) {
      throw new ValidationError(
        'body.scope: only {"type": "user", "user_id": "<email>"} limits are set here; organization, business-unit, team and group defaults are per-seat budgets in org/budgets.yaml.',
        { field: 'body.scope' },
      );
    }
    const userId = body.scope.user_id.trim().toLowerCase();
    const user = await deps.org.getUser(caller.tenantId, userId);
    if (!user || user.deprovisionedAt) throw new NotFoundError('user', userId);
    authorizeAdmin(caller, 'budgets:write', { level: 'user', id: userId });
    const { limit, before } = await deps.limits.store.upsert({
      tenantId: caller.tenantId,
      userId,
      period: body.period,
      amountCents: body.amount === null ? null : Number(body.amount),
      at: deps.clock.now(),
      by: caller.actor,
    });
    deps.limits.forget(caller.tenantId);
    const view = apiLimitView(limit);
    await recordChange(caller, 'spend_limit_set', limit.id, before && apiLimitView(before), view);
    return view;
  });

  app.delete('/v1/organizations/spend_limits/:id', async (request) => {
    const caller = await authenticateAdmin(deps, request, true);
    const { id } = request.params as { id: string };
    if (id.startsWith(CONFIG_ID_PREFIX)) {
      throw new ValidationError(
        `${id} is a budget in org/budgets.yaml; change it there (reviewed, then llm-rules apply).`,
        { field: 'spend_limit_id' },
      );
    }
    const existing = await deps.limits.store.get(caller.tenantId, id);
    if (!existing) throw new NotFoundError('spend limit', id);
    authorizeAdmin(caller, 'budgets:write', { level: 'user', id: existing.userId });
    const deleted = await deps.limits.store.delete(caller.tenantId, id);
    if (!deleted) throw new NotFoundError('spend limit', id);
    deps.limits.forget(caller.tenantId);
    await recordChange(caller, 'spend_limit_deleted', id, apiLimitView(deleted), null);
    return { type: 'spend_limit_deleted', id };
  });

  async function recordChange(
    caller: AdminCaller,
    action: string,
    target: string,
    before: unknown,
    after: unknown,
  ) {
    await deps.audit.record(caller.tenantId, {
      event: 'admin_action',
      user: caller.actor,
      context: {
        action,
        target: `spend_limit:${target}`,
        via: caller.via,
        before: JSON.parse(JSON.stringify(before ?? null)),
        after: JSON.parse(JSON.stringify(after ?? null)),
      },
    });
  }

  /** Each member's per-member caps as the gateway enforces them now, with what they spent this period. */
  async function effectiveRows(
    caller: AdminCaller,
    members: UserRecord[],
    periods: string[],
  ): Promise<EffectiveRow[]> {
    const now = deps.clock.now();
    const budgets = await deps.limits.budgets(caller.content, caller.tenantId);
    const approved = await deps.approvals.forTenant(caller.tenantId, now);
    const tenantGroups = await deps.org.listGroups(caller.tenantId);
    const perMember = await Promise.all(
      members.map(async (user) => ({
        user,
        caps: applicableBudgets(
          budgets,
          await memberBudgetSubject(deps.signIn, tenantGroups, user, now),
          now,
          approved,
        )
          .filter(isMemberCap)
          .filter((b) => periods.length === 0 || periods.includes(b.period)),
        lifted: budgets.find((b) => b.unlimited && b.scope.level === 'user' && b.scope.id === user.id),
      })),
    );
    const charges = perMember.flatMap((m) =>
      m.caps.map((b) => ({ key: b.key, periodStart: b.periodStart, limitMicro: b.limitMicro })),
    );
    const standings =
      charges.length > 0 ? await deps.budgetStore.standings(caller.tenantId, charges, now) : [];
    let next = 0;
    const actor = (user: UserRecord): EffectiveRow['actor'] => ({
      type: 'user_actor',
      user_id: user.id,
      name: user.name,
      email_address: user.email,
      deleted: false,
    });
    const rows: EffectiveRow[] = [];
    for (const { user, caps, lifted } of perMember) {
      const scope = { type: 'user' as const, user_id: user.id };
      if (caps.length === 0) {
        // No cap: one row without an amount (Anthropic's "unlimited for that period"), with the spend.
        const period = lifted?.period ?? 'monthly';
        if (periods.length > 0 && !periods.includes(period)) continue;
        const spent = await deps.usageStore.spend(caller.tenantId, {
          since: periodWindow(period, now).start,
          principal: { type: 'user', id: user.id },
        });
        rows.push({
          scope,
          actor: actor(user),
          amount: null,
          currency: 'USD',
          period,
          source: lifted ? scope : { type: 'organization' },
          spend_limit_id: lifted?.id ?? null,
          period_to_date_spend: centsOf(spent),
        });
        continue;
      }
      for (const cap of caps) {
        rows.push({
          scope,
          actor: actor(user),
          amount: String(Math.round(cap.limitMicro / 10_000)),
          currency: 'USD',
          period: cap.period,
          source: scopeView(cap.budget.scope),
          spend_limit_id: cap.budget.id.startsWith('spl_')
            ? cap.budget.id
            : `${CONFIG_ID_PREFIX}${cap.budget.id}`,
          period_to_date_spend: centsOf(standings[next++]!.spentMicro),
        });
      }
    }
    return rows;
  }
}

function queryOf(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/** A repeated query parameter, written `name[]=a&name[]=b` (Anthropic's clients) or `name=a&name=b`. */
function list(query: Record<string, unknown>, name: string): string[] {
  const values = [query[`${name}[]`], query[name]].flat().filter((v): v is string => typeof v === 'string');
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Anthropic's cursor pages: `limit` (1-1000, default 20) and an opaque `page` tied to the filters. */
function paginate<T>(
  items: T[],
  query: Record<string, unknown>,
  filters: string,
): { data: T[]; next_page: string | null } {
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ValidationError('query.limit: an integer from 1 to 1000', { field: 'query.limit' });
  }
  let offset = 0;
  if (typeof query.page === 'string' && query.page !== '') {
    const cursor = decodeCursor(query.page);
    if (!cursor)
      throw new ValidationError('query.page: not a page cursor from this API', { field: 'query.page' });
    if (cursor.f !== filters) {
      throw new AppError(400, 'invalid_request_error', 'cursor does not match current query parameters', {
        field: 'query.page',
      });
    }
    offset = cursor.o;
  }
  const data = items.slice(offset, offset + limit);
  const end = offset + data.length;
  return {
    data,
    next_page:
      end < items.length
        ? `page_${Buffer.from(JSON.stringify({ o: end, f: filters })).toString('base64url')}`
        : null,
  };
}

function decodeCursor(page: string): { o: number; f: string } | undefined {
  if (!page.startsWith('page_')) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(page.slice(5), 'base64url').toString('utf8')) as {
      o?: unknown;
      f?: unknown;
    };
    return Number.isInteger(parsed.o) && (parsed.o as number) >= 0 && typeof parsed.f === 'string'
      ? { o: parsed.o as number, f: parsed.f }
      : undefined;
  } catch {
    return undefined;
  }
}
