// `llm-rules report --period 2026-11`: the month's executive summary for a tenant (adoption, cost by
// business unit and team, top agents and models, security incidents, budget variance), written as
// markdown and JSON beside each other.
import { join, resolve } from 'node:path';
import { systemClock } from '../core/clock/clock.ts';
import { ValidationError } from '../core/errors/app-error.ts';
import { executiveReport, monthWindow, reportMarkdown } from '../features/analytics/executive-report.ts';
import type { CliIo } from './cli-io.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';
import { writeFileAtomically } from './write-file-atomically.ts';

const USAGE = `llm-rules report --period YYYY-MM [--tenant T] [--out DIR] [--json]
  (--data DIR; DATABASE_URL selects PostgreSQL)`;

const FLAGS = {
  period: { type: 'string' },
  tenant: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  data: { type: 'string' },
} as const;

export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, FLAGS, USAGE);
  const period = stringFlag(values, 'period');
  if (!period) throw new UsageError(`--period is required (a month, YYYY-MM)\n\nusage: ${USAGE}`);
  try {
    monthWindow(period);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\nusage: ${USAGE}`);
  }
  return withStorage(io, stringFlag(values, 'data'), async (storage) => {
    const revision = await storage.bundles.activeRevision();
    const bundle = revision ? await storage.bundles.get(revision) : undefined;
    if (!bundle)
      throw new ValidationError('no policy is active: run `llm-rules apply` first', { field: 'bundle' });
    const content = bundle.content;
    const tenant = stringFlag(values, 'tenant') ?? content.org.tenant.id;
    const org =
      tenant === content.org.tenant.id ? content.org : content.tenants.find((t) => t.id === tenant)?.org;
    if (tenant !== content.org.tenant.id && !content.tenants.some((t) => t.id === tenant))
      throw new ValidationError(`--tenant: the active policy has no tenant "${tenant}"`, { field: 'tenant' });
    const report = await executiveReport(storage, content, tenant, period, systemClock.now());
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (values.json) {
      io.stdout(json.trimEnd());
      return 0;
    }
    const dir = resolve(io.cwd, stringFlag(values, 'out') ?? '.');
    const base = join(dir, `llm-rules-report-${tenant}-${period}`);
    await writeFileAtomically(`${base}.md`, reportMarkdown(report, org?.tenant.name ?? tenant));
    await writeFileAtomically(`${base}.json`, json);
    io.stdout(
      `Wrote ${base}.md and ${base}.json (${report.cost.total_usd.toFixed(2)} USD, ${report.adoption.active_users} active developers).`,
    );
    return 0;
  });
}
