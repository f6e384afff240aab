// The month's executive summary for one tenant: adoption, cost by business unit and team, top agents and
// models, security incidents from the audit log, and each budget's variance (a forecast while the month
// runs). Built from the rollups, the audit chain and the active bundle; rendered as JSON and markdown.
import type { PolicyConfig } from '../../config/policy-config.ts';
import { type Dimension, emptyMeasures, type Measures } from '../../core/analytics/rollup.ts';
import { ValidationError } from '../../core/errors/app-error.ts';
import type { Storage } from '../../storage/ports.ts';
import { type BudgetForecast, budgetForecasts } from './budget-forecasts.ts';
import { incidentCounts } from './incident-counts.ts';

export interface ReportLine {
  name: string;
  cost_usd: number;
  requests: number;
  tokens: number;
}

export interface ExecutiveReport {
  tenant: string;
  period: string;
  from: string;
  to: string;
  generated_at: string;
  adoption: {
    active_users: number;
    sessions: number;
    prompts: number;
    model_calls: number;
    lines_added: number;
    lines_removed: number;
    commits: number;
    pull_requests: number;
  };
  cost: { total_usd: number; by_business_unit: ReportLine[]; by_team: ReportLine[] };
  top: { agents: ReportLine[]; models: ReportLine[] };
  security: {
    denied_tool_calls: number;
    asked_tool_calls: number;
    blocked_prompts: number;
    refused_by_telemetry: number;
  };
  budgets: BudgetForecast[];
}

const TOP = 5;

/** `2026-11` → its first instant and the first instant of the next month, UTC. */
export function monthWindow(period: string): { from: Date; to: Date } {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!match)
    throw new ValidationError(`--period: expected a month as YYYY-MM, got "${period}"`, { field: 'period' });
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  return { from: new Date(Date.UTC(year, month, 1)), to: new Date(Date.UTC(year, month + 1, 1)) };
}

export async function executiveReport(
  storage: Pick<Storage, 'telemetry' | 'audit'>,
  content: PolicyConfig,
  tenantId: string,
  period: string,
  now: Date,
): Promise<ExecutiveReport> {
  const { from, to } = monthWindow(period);
  const window = { granularity: 'day' as const, since: from, until: to };
  const grouped = (by: Dimension) => storage.telemetry.rollups(tenantId, { ...window, groupBy: [by] });
  const [all, businessUnits, teams, agents, models, activeUsers] = await Promise.all([
    storage.telemetry.rollups(tenantId, { ...window, groupBy: [] }),
    grouped('business_unit'),
    grouped('team'),
    grouped('agent'),
    grouped('model'),
    storage.telemetry.activeUsers(tenantId, window),
  ]);
  const total: Measures = all[0]?.measures ?? emptyMeasures();
  const lines = (groups: typeof teams, by: Dimension, limit?: number): ReportLine[] =>
    groups
      .filter((g) => g.measures.requests > 0 || g.measures.cost_micro > 0)
      .map((g) => ({
        name: g.key[by] || '(none)',
        cost_usd: g.measures.cost_micro / 1_000_000,
        requests: g.measures.requests,
        tokens:
          g.measures.input_tokens +
          g.measures.output_tokens +
          g.measures.cache_read_tokens +
          g.measures.cache_creation_tokens,
      }))
      .sort((a, b) => b.cost_usd - a.cost_usd || b.requests - a.requests || a.name.localeCompare(b.name))
      .slice(0, limit);
  // The budgets as they stand at the end of the month (or now, for the month under way).
  const asOf = now < to ? now : new Date(to.getTime() - 1);
  return {
    tenant: tenantId,
    period,
    from: from.toISOString(),
    to: to.toISOString(),
    generated_at: now.toISOString(),
    adoption: {
      active_users: activeUsers,
      sessions: total.sessions,
      prompts: total.prompts,
      model_calls: total.requests,
      lines_added: total.lines_added,
      lines_removed: total.lines_removed,
      commits: total.commits,
      pull_requests: total.pull_requests,
    },
    cost: {
      total_usd: total.cost_micro / 1_000_000,
      by_business_unit: lines(businessUnits, 'business_unit'),
      by_team: lines(teams, 'team'),
    },
    top: { agents: lines(agents, 'agent', TOP), models: lines(models, 'model', TOP) },
    security: await securitySummary(storage, tenantId, from, to, total.tool_rejects),
    budgets: await budgetForecasts(storage.telemetry, content, tenantId, asOf),
  };
}

async function securitySummary(
  storage: Pick<Storage, 'audit'>,
  tenantId: string,
  from: Date,
  to: Date,
  refusedByTelemetry: number,
): Promise<ExecutiveReport['security']> {
  const counts = await incidentCounts(storage, tenantId, from, to);
  return {
    denied_tool_calls: counts.denied_tool_calls,
    asked_tool_calls: counts.asked_tool_calls,
    blocked_prompts: counts.blocked_prompts,
    refused_by_telemetry: refusedByTelemetry,
  };
}

const usd = (n: number) =>
  `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const table = (header: string[], rows: string[][]) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
const costTable = (title: string, rows: ReportLine[]) =>
  rows.length === 0
    ? `No ${title.toLowerCase()} spend recorded.`
    : table(
        [title, 'Cost', 'Model calls', 'Tokens'],
        rows.map((r) => [
          r.name,
          usd(r.cost_usd),
          r.requests.toLocaleString('en-US'),
          r.tokens.toLocaleString('en-US'),
        ]),
      );

/** A budget row's spend when it has no forecast: the scope's total for a per-seat budget; none for a key's or group's. */
function spentWithoutForecast(b: BudgetForecast): string {
  return b.scope_spent_usd === null
    ? `— (${b.not_forecast === 'group' ? 'group' : 'key'} budget, not tracked here)`
    : `${usd(b.scope_spent_usd)} (per seat)`;
}

export function reportMarkdown(report: ExecutiveReport, orgName: string): string {
  const a = report.adoption;
  const budgetRows = report.budgets.map((b) => [
    b.budget,
    b.scope,
    `${usd(b.amount_usd)} ${b.period}`,
    b.forecast ? usd(b.forecast.spent_usd) : spentWithoutForecast(b),
    b.forecast ? usd(b.forecast.forecast_usd) : '—',
    b.forecast
      ? `${b.forecast.variance_usd >= 0 ? '+' : ''}${usd(b.forecast.variance_usd)}${b.forecast.variance_pct === null ? '' : ` (${b.forecast.variance_pct}%)`}`
      : '—',
  ]);
  return `${[
    `# ${orgName}: AI coding agents, ${report.period}`,
    `Tenant \`${report.tenant}\`, ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)} (UTC); generated ${report.generated_at}.`,
    '## Summary',
    `- **Spend:** ${usd(report.cost.total_usd)} over ${a.model_calls.toLocaleString('en-US')} model calls.`,
    `- **Adoption:** ${a.active_users} active developers, ${a.sessions.toLocaleString('en-US')} sessions, ${a.prompts.toLocaleString('en-US')} prompts; ${a.lines_added.toLocaleString('en-US')} lines added and ${a.lines_removed.toLocaleString('en-US')} removed, ${a.commits} commits, ${a.pull_requests} pull requests.`,
    `- **Security:** ${report.security.denied_tool_calls} tool calls denied and ${report.security.asked_tool_calls} sent to a person by policy, ${report.security.blocked_prompts} prompts blocked for carrying credentials.`,
    '## Cost by business unit',
    costTable('Business unit', report.cost.by_business_unit),
    '## Cost by team',
    costTable('Team', report.cost.by_team),
    '## Top agents',
    costTable('Agent', report.top.agents),
    '## Top models',
    costTable('Model', report.top.models),
    '## Budgets',
    budgetRows.length === 0
      ? 'No budgets are configured.'
      : table(['Budget', 'Scope', 'Amount', 'Spent', 'Forecast', 'Variance'], budgetRows),
    'Forecast: spend so far plus the mean of the last seven complete days over the days left in the period. Positive variance is over budget.',
  ].join('\n\n')}\n`;
}
