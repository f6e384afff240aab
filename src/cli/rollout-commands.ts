// `llm-rules promote`, `rollback` and `shadow-report`: finishing a roll-out started with
// `apply --shadow` or `apply --canary N%`.
import { RolloutService } from '../features/bundles/rollout-service.ts';
import { shadowReport } from '../features/bundles/shadow-report.ts';
import type { CliIo } from './cli-io.ts';
import { actorFromEnv } from './environment.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';
import { printApplied } from './plan-apply-commands.ts';

export async function promoteCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(
    args,
    { data: { type: 'string' }, as: { type: 'string' } },
    'llm-rules promote [--data DIR] [--as NAME]',
  );
  const actor = stringFlag(values, 'as') ?? actorFromEnv(io.env);
  return withStorage(io, stringFlag(values, 'data'), async (storage) => {
    printApplied(io, await new RolloutService(storage).promote(actor), actor);
    return 0;
  });
}

export async function rollbackCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(
    args,
    { data: { type: 'string' }, as: { type: 'string' } },
    'llm-rules rollback [--data DIR] [--as NAME]',
  );
  const actor = stringFlag(values, 'as') ?? actorFromEnv(io.env);
  return withStorage(io, stringFlag(values, 'data'), async (storage) => {
    const result = await new RolloutService(storage).rollback(actor);
    if (result.kind === 'candidate_cleared') {
      io.stdout(`✓ Candidate ${result.revision.slice(0, 12)} cleared; only the active bundle applies now.`);
    } else {
      printApplied(io, result.result, actor);
    }
    return 0;
  });
}

const REPORT_USAGE = 'llm-rules shadow-report [--tenant T] [--samples N] [--data DIR]';

export async function shadowReportCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(
    args,
    { data: { type: 'string' }, tenant: { type: 'string' }, samples: { type: 'string' } },
    REPORT_USAGE,
  );
  const samples = Number(stringFlag(values, 'samples') ?? 20);
  if (!Number.isInteger(samples) || samples < 0)
    throw new UsageError(`--samples must be a whole number\n\nusage: ${REPORT_USAGE}`);
  return withStorage(io, stringFlag(values, 'data'), async (storage) => {
    const candidate = await storage.bundles.candidate();
    if (!candidate) {
      io.stdout(
        'No candidate bundle is being tried. Start one with `llm-rules apply DIR --shadow` (or --canary N%).',
      );
      return 0;
    }
    const revision = candidate.revision;
    const bundle = await storage.bundles.get(revision);
    const tenants = stringFlag(values, 'tenant')
      ? [stringFlag(values, 'tenant')!]
      : [bundle!.content.org.tenant.id, ...bundle!.content.tenants.map((t) => t.id)];
    io.stdout(
      `Candidate ${revision.slice(0, 12)} (${candidate.mode}${candidate.mode === 'canary' ? ` ${candidate.percent}%` : ''}) since ${candidate.setAt.toISOString()}`,
    );
    for (const tenant of tenants) {
      const report = await shadowReport(storage.audit, tenant, candidate, samples);
      const changed = report.differences.reduce((sum, d) => sum + d.count, 0);
      io.stdout(
        `\ntenant ${tenant}: ${report.decisions} decisions, ${changed} would change${report.mode === 'canary' ? `, ${report.canaryDecisions} decided by the canary` : ''}`,
      );
      for (const difference of report.differences)
        io.stdout(`  ${String(difference.count).padStart(6)}  ${difference.change}`);
      for (const sample of report.samples) {
        io.stdout(
          `    ${sample.at.toISOString()} ${sample.user ?? '-'} ${sample.tool} ${sample.subject}: ${sample.active} → ${sample.candidate}`,
        );
      }
    }
    return 0;
  });
}
