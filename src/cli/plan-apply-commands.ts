// `llm-rules plan DIR` shows what applying DIR would change; `llm-rules apply DIR` stores it as an
// immutable bundle and makes it active; `llm-rules bundles` lists the activation history.
import { formatPlan } from '../core/bundles/format-plan.ts';
import { type ApplyResult, BundlesService } from '../features/bundles/bundles-service.ts';
import { RolloutService } from '../features/bundles/rollout-service.ts';
import type { CliIo } from './cli-io.ts';
import { actorFromEnv } from './environment.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';

const PLAN_USAGE = 'llm-rules plan DIR [--data DIR]';
const APPLY_USAGE = 'llm-rules apply DIR [--shadow | --canary N%] [--data DIR] [--as NAME]';
const HISTORY_USAGE = 'llm-rules bundles [--data DIR] [--limit N]';

export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, { data: { type: 'string' } }, PLAN_USAGE);
  const dir = singleDir(positionals, PLAN_USAGE);
  return withStorage(io, stringFlag(values, 'data'), async (storage) => {
    const planned = await new BundlesService(storage).plan(dir, io.env);
    io.stdout(formatPlan(planned.plan, { from: planned.activeRevision, to: planned.revision }));
    if (planned.plan.changes.length > 0) io.stdout(`\nRun \`llm-rules apply ${dir}\` to make it active.`);
    return 0;
  });
}

export async function applyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      data: { type: 'string' },
      as: { type: 'string' },
      shadow: { type: 'boolean' },
      canary: { type: 'string' },
    },
    APPLY_USAGE,
  );
  const dir = singleDir(positionals, APPLY_USAGE);
  const actor = stringFlag(values, 'as') ?? actorFromEnv(io.env);
  const canary = stringFlag(values, 'canary');
  if (values.shadow && canary)
    throw new UsageError(`give --shadow or --canary, not both\n\nusage: ${APPLY_USAGE}`);
  const percent = canary === undefined ? 0 : parsePercent(canary);
  return withStorage(io, stringFlag(values, 'data'), async (storage) => {
    if (values.shadow || canary !== undefined) {
      const tried = await new RolloutService(storage).try(
        dir,
        io.env,
        actor,
        values.shadow ? 'shadow' : 'canary',
        percent,
      );
      io.stdout(formatPlan(tried.plan, { from: tried.activeRevision, to: tried.revision }));
      const how = values.shadow
        ? 'in shadow: decided beside the active bundle, differences recorded, nothing enforced'
        : `as a canary: enforced for ${percent}% of users (a stable choice per user)`;
      io.stdout(`\n✓ Bundle ${tried.revision.slice(0, 12)} is the candidate ${how}.`);
      io.stdout('  Review with `llm-rules shadow-report`; then `llm-rules promote` or `llm-rules rollback`.');
      return 0;
    }
    const result = await new BundlesService(storage).apply(dir, io.env, actor);
    if (!result.changed) {
      io.stdout(`No changes: bundle ${result.revision.slice(0, 12)} is already active.`);
      return 0;
    }
    printApplied(io, result, actor);
    return 0;
  });
}

export function printApplied(io: CliIo, result: ApplyResult, actor: string): void {
  io.stdout(formatPlan(result.plan, { from: result.activeRevision, to: result.revision }));
  for (const [tenant, sync] of Object.entries(result.orgSync)) {
    io.stdout(
      `org ${tenant}: ${sync.usersAdded} users added, ${sync.usersUpdated} updated, ${sync.usersDeprovisioned} deprovisioned`,
    );
  }
  io.stdout(
    `\n✓ Applied bundle ${result.revision} as ${actor}. Running servers switch to it within a second.`,
  );
}

function parsePercent(text: string): number {
  const match = /^(\d{1,3})%?$/.exec(text.trim());
  const value = match ? Number(match[1]) : Number.NaN;
  if (!(value >= 1 && value <= 100))
    throw new UsageError(
      `--canary takes a percentage from 1% to 100%, e.g. --canary 10%\n\nusage: ${APPLY_USAGE}`,
    );
  return value;
}

export async function bundlesCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, { data: { type: 'string' }, limit: { type: 'string' } }, HISTORY_USAGE);
  const limit = Number(stringFlag(values, 'limit') ?? 20);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new UsageError(`--limit must be a positive integer\n\nusage: ${HISTORY_USAGE}`);
  return withStorage(io, stringFlag(values, 'data'), async (storage) => {
    const history = await storage.bundles.history(limit);
    if (history.length === 0) {
      io.stdout('No bundle has been applied yet. Run `llm-rules apply DIR`.');
      return 0;
    }
    io.stdout('APPLIED AT                 REVISION      PREVIOUS      APPLIED BY');
    history.forEach((entry, index) => {
      const marker = index === 0 ? ' (active)' : '';
      io.stdout(
        `${entry.appliedAt.toISOString().padEnd(26)} ${entry.revision.slice(0, 12)}  ${(entry.previousRevision ?? '-').slice(0, 12).padEnd(12)}  ${entry.appliedBy}${marker}`,
      );
    });
    return 0;
  });
}

function singleDir(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected one config directory\n\nusage: ${usage}`);
  return positionals[0]!;
}
