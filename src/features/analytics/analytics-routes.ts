// Admin API: analytics over the usage rollups (gateway and telemetry), grouped and filtered, as JSON or
// CSV. Readers need analytics:read; one granted it for the whole tenant sees everything, one granted it at
// business units or teams sees only those teams' rows (their subtree), never another tenant.
import { z } from 'zod';
import { budgetAdminNode } from '../../config/policy-config.ts';
import { derivedMetrics } from '../../core/analytics/derived-metrics.ts';
import {
  DIMENSIONS,
  type Dimension,
  emptyMeasures,
  type Granularity,
  MEASURES,
} from '../../core/analytics/rollup.ts';
import { pathTo, permits } from '../../core/authz/admin-grants.ts';
import { PermissionError, ValidationError } from '../../core/errors/app-error.ts';
import type { RollupGroup } from '../../storage/telemetry-port.ts';
import type { AdminCaller } from '../admin/admin-caller.ts';
import type { AdminDeps } from '../admin/admin-deps.ts';
import { tenantParams } from '../admin/admin-org-routes.ts';
import { adminRoute } from '../admin/admin-route.ts';
import { tenantConfig } from '../bundles/tenant-config.ts';
import { budgetForecasts } from './budget-forecasts.ts';
import { incidentCounts } from './incident-counts.ts';
import { DAY_MS, TO_DEFAULT_DESCRIPTION, timeWindow } from './time-window.ts';

/** Buckets one answer may span, per granularity: enough for a quarter by day, a month by hour, a day by minute. */
const MAX_SPAN_MS: Record<Granularity, number> = { day: 400 * DAY_MS, hour: 32 * DAY_MS, minute: 2 * DAY_MS };
const GROUPS = [...DIMENSIONS, 'bucket'] as const;

const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  )
  .optional();

const query = z.object({
  from: z.iso.datetime({ offset: true }).optional().describe('inclusive; default 30 days before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe(TO_DEFAULT_DESCRIPTION),
  granularity: z.enum(['minute', 'hour', 'day']).default('day'),
  group_by: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const parts = s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      for (const part of parts) {
        if (!(GROUPS as readonly string[]).includes(part)) {
          ctx.addIssue({ code: 'custom', message: `group_by: "${part}" is not one of ${GROUPS.join(', ')}` });
          return z.NEVER;
        }
      }
      return parts as (Dimension | 'bucket')[];
    })
    .describe(`comma-separated: ${GROUPS.join(', ')}`),
  business_unit: list,
  team: list,
  user: list,
  agent: list,
  model: list,
});
type Query = z.output<typeof query>;

const row = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
const answer = z.object({
  from: z.string(),
  to: z.string(),
  granularity: z.string(),
  group_by: z.array(z.string()),
  visible: z.string().describe('"tenant", or the teams the caller may read'),
  rows: z.array(row),
  totals: row,
});

/** The teams a caller may read analytics of, or 'all' (granted for the whole tenant). */
export function visibleTeams(caller: AdminCaller): 'all' | string[] {
  if (permits(caller.grants, 'analytics:read', [{ level: 'tenant' }])) return 'all';
  const teams = caller.org.business_units.flatMap((bu) => bu.teams.map((t) => t.id));
  return teams.filter((id) =>
    permits(caller.grants, 'analytics:read', pathTo(caller.org, { level: 'team', id })),
  );
}

export function analyticsRoutes(deps: AdminDeps) {
  const spec = {
    tag: 'analytics',
    permission: 'analytics:read',
    params: tenantParams,
    query,
    scope: 'filtered' as const,
  };
  return [
    adminRoute({
      ...spec,
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/analytics/usage',
      summary:
        'Usage, cost and activity from the rollups, grouped by time bucket, business unit, team, user, agent or model, with the derived metric sets',
      response: answer,
      handle: ({ caller, tenantId, query: q }) => usage(deps, caller, tenantId, q),
    }),
    adminRoute({
      ...spec,
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/analytics/usage.csv',
      summary: 'The rows of …/analytics/usage as CSV (one header line, then one line per group)',
      response: z.string(),
      contentType: 'text/csv; charset=utf-8',
      handle: async ({ caller, tenantId, query: q }) =>
        csvAnswer((await usage(deps, caller, tenantId, q)).rows, q.group_by),
    }),
    adminRoute({
      ...spec,
      query: z.object({}),
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/analytics/forecast',
      summary:
        'Each budget the caller may read analytics of: spend this period, the period-end forecast (spend so far plus the last seven days’ trend) and the variance against its amount',
      response: z.array(forecastView),
      handle: async ({ caller, tenantId }) =>
        budgetForecasts(deps.storage.telemetry, caller.content, tenantId, deps.clock.now(), (budget) =>
          permits(caller.grants, 'analytics:read', pathTo(caller.org, budgetAdminNode(budget.scope))),
        ),
    }),
    adminRoute({
      ...spec,
      query: z.object({
        from: z.iso.datetime({ offset: true }).optional().describe('inclusive; default 7 days before `to`'),
        to: z.iso.datetime({ offset: true }).optional().describe(TO_DEFAULT_DESCRIPTION),
      }),
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/analytics/incidents',
      summary:
        'Security incidents from the audit chain: tool calls denied or sent to a person by policy and prompts blocked for credentials, by day, user and tool (up to 31 days)',
      response: incidentsView,
      handle: async ({ caller, tenantId, query: q }) => {
        const { from, to } = timeWindow(q, deps.clock.now(), 7);
        if (to.getTime() - from.getTime() > 31 * DAY_MS)
          throw new ValidationError(
            'query.from: at most 31 days (the audit chain is read record by record)',
            {
              field: 'query.from',
            },
          );
        const visible = visibleTeams(caller);
        const users =
          visible === 'all'
            ? undefined
            : new Set(
                caller.org.business_units
                  .flatMap((bu) => bu.teams)
                  .filter((t) => visible.includes(t.id))
                  .flatMap((t) => t.members.map((m) => m.email.toLowerCase())),
              );
        return {
          from: from.toISOString(),
          to: to.toISOString(),
          ...(await incidentCounts(deps.storage, tenantId, from, to, users)),
        };
      },
    }),
    adminRoute({
      ...spec,
      query: z.object({
        from: z.iso.datetime({ offset: true }).optional().describe('inclusive; default 30 days before `to`'),
        to: z.iso.datetime({ offset: true }).optional().describe(TO_DEFAULT_DESCRIPTION),
      }),
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/analytics/tools',
      summary:
        'Tool adoption from telemetry: per tool, how many developers used it, how often it was decided and refused, run and failed, and its mean run time',
      response: z.array(toolView),
      handle: async ({ caller, tenantId, query: q }) => {
        const { from, to } = timeWindow(q, deps.clock.now(), 30);
        const visible = visibleTeams(caller);
        if (visible !== 'all' && visible.length === 0)
          throw new PermissionError('analytics:read is granted to you for no team');
        const rows = await deps.storage.telemetry.toolUse(tenantId, {
          since: from,
          until: to,
          ...(visible === 'all' ? {} : { where: { team: visible } }),
        });
        return rows
          .map((r) => ({
            ...r,
            refusal_rate: r.decisions > 0 ? Math.round((r.rejects / r.decisions) * 1e6) / 1e6 : null,
            failure_rate: r.results > 0 ? Math.round((r.failures / r.results) * 1e6) / 1e6 : null,
            avg_ms: r.results > 0 ? Math.round((r.tool_ms / r.results) * 10) / 10 : null,
          }))
          .sort(
            (a, b) =>
              b.users - a.users ||
              b.decisions + b.results - (a.decisions + a.results) ||
              a.tool.localeCompare(b.tool),
          );
      },
    }),
  ];
}

const toolView = z.object({
  tool: z.string(),
  users: z.number(),
  decisions: z.number(),
  rejects: z.number(),
  results: z.number(),
  failures: z.number(),
  tool_ms: z.number(),
  refusal_rate: z.number().nullable(),
  failure_rate: z.number().nullable(),
  avg_ms: z.number().nullable(),
});

const countsRow = { denied: z.number(), asked: z.number(), blocked_prompts: z.number() };
const incidentsView = z.object({
  from: z.string(),
  to: z.string(),
  denied_tool_calls: z.number(),
  asked_tool_calls: z.number(),
  blocked_prompts: z.number(),
  by_day: z.array(z.object({ day: z.string(), ...countsRow })),
  by_user: z.array(z.object({ user: z.string(), ...countsRow })),
  by_tool: z.array(z.object({ tool: z.string(), denied: z.number() })),
});

const forecastView = z.object({
  budget: z.string(),
  scope: z.string(),
  mode: z.enum(['pooled', 'per_seat']),
  period: z.enum(['daily', 'weekly', 'monthly']),
  amount_usd: z.number(),
  period_start: z.string(),
  period_end: z.string(),
  forecast: z
    .object({
      spent_usd: z.number(),
      trend_usd_per_day: z.number(),
      forecast_usd: z.number(),
      variance_usd: z.number(),
      variance_pct: z.number().nullable(),
      exhausted_at: z.string().nullable(),
    })
    .nullable()
    .describe(
      'null for per-seat budgets (each member has the amount) and key and group budgets; see not_forecast',
    ),
  scope_spent_usd: z
    .number()
    .nullable()
    .describe(
      'null for key and group budgets: the rollups have no key or group dimension, so their spend is not known here',
    ),
  not_forecast: z
    .enum(['per_seat', 'key', 'group'])
    .nullable()
    .describe(
      'why forecast is null: a per-seat budget, or a key or group budget (not forecast); null when forecast',
    ),
});

async function usage(
  deps: AdminDeps,
  caller: AdminCaller,
  tenantId: string,
  q: Query,
): Promise<z.infer<typeof answer>> {
  const { from, to } = timeWindow(q, deps.clock.now(), 30);
  if (to.getTime() - from.getTime() > MAX_SPAN_MS[q.granularity]) {
    throw new ValidationError(
      `query.from: at most ${MAX_SPAN_MS[q.granularity] / DAY_MS} days by ${q.granularity}; use a coarser granularity`,
      { field: 'query.from' },
    );
  }
  const visible = visibleTeams(caller);
  if (visible !== 'all' && visible.length === 0) {
    throw new PermissionError('analytics:read is granted to you for no team');
  }
  const where: Partial<Record<Dimension, string[]>> = {};
  for (const d of DIMENSIONS) if (q[d]) where[d] = q[d];
  if (visible !== 'all') where.team = where.team ? where.team.filter((t) => visible.includes(t)) : visible;
  const dims = q.group_by.filter((g): g is Dimension => g !== 'bucket');
  const byBucket = q.group_by.includes('bucket');
  const base = { granularity: q.granularity, since: from, until: to, where };
  const [groups, activeUsers] = await Promise.all([
    deps.storage.telemetry.rollups(tenantId, { ...base, groupBy: dims, byBucket }),
    deps.storage.telemetry.activeUsers(tenantId, base),
  ]);
  // The totals are the sum of the groups: the same rows, under the same filter.
  const total = emptyMeasures();
  for (const g of groups) for (const m of MEASURES) total[m] += g.measures[m];
  const active = (g: RollupGroup) => MEASURES.some((m) => g.measures[m] !== 0);
  const config = tenantConfig(caller.content, tenantId);
  const context = {
    maxContextTokens: config?.limits.max_context_tokens ?? 200_000,
    hours: (to.getTime() - from.getTime()) / 3_600_000,
  };
  const flatten = (g: RollupGroup) => ({
    ...Object.fromEntries(dims.map((d) => [d, g.key[d] ?? ''])),
    ...(byBucket ? { bucket: new Date(g.key.bucket ?? 0).toISOString() } : {}),
    ...g.measures,
    ...derivedMetrics(g.measures, context),
  });
  const rows = groups
    .filter(active)
    .map(flatten)
    .sort((a, b) => sortKey(a, q.group_by).localeCompare(sortKey(b, q.group_by)));
  const totals = { ...total, ...derivedMetrics(total, context), active_users: activeUsers };
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    granularity: q.granularity,
    group_by: q.group_by,
    visible: visible === 'all' ? 'tenant' : visible.join(','),
    rows,
    totals,
  };
}

function sortKey(row: Record<string, unknown>, groupBy: readonly string[]): string {
  return groupBy.map((g) => String(row[g] ?? '')).join('\u0000');
}

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  // Quote what CSV needs quoted, and defuse spreadsheet formulas in text that came from clients.
  const safe = /^[=+\-@\t\r]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function csvAnswer(rows: readonly Record<string, unknown>[], groupBy: readonly string[]): string {
  const columns = [
    ...groupBy,
    ...MEASURES,
    ...Object.keys(derivedMetrics(emptyMeasures(), { maxContextTokens: 1, hours: 1 })),
  ];
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`;
}
