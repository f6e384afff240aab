// Dispatches `llm-rules <command>` to one file per command and maps errors to messages and exit codes.

import { formatProblem } from '../config/format-problem.ts';
import type { ConfigProblem } from '../config/load-policy-config.ts';
import { AppError, ConfigError } from '../core/errors/app-error.ts';
import { VERSION } from '../version.ts';
import { auditCommand } from './audit-command.ts';
import { breakGlassCommand } from './break-glass-command.ts';
import { budgetsCommand } from './budgets-command.ts';
import { checkCommand } from './check-command.ts';
import { type CliIo, processIo } from './cli-io.ts';
import { connectCommand } from './connect-command.ts';
import { debugFromEnv } from './environment.ts';
import { hookCommand } from './hook-command.ts';
import { importSettingsCommand } from './import-settings-command.ts';
import { initCommand } from './init-command.ts';
import { keysCommand } from './keys-command.ts';
import { machinesCommand } from './machines-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { UsageError } from './parse-flags.ts';
import { applyCommand, bundlesCommand, planCommand } from './plan-apply-commands.ts';
import { reportCommand } from './report-command.ts';
import { promoteCommand, rollbackCommand, shadowReportCommand } from './rollout-commands.ts';
import { serveCommand } from './serve-command.ts';
import { syncCommand } from './sync-command.ts';
import { telemetryCommand } from './telemetry-command.ts';
import { validateCommand } from './validate-command.ts';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  serve: { run: serveCommand, summary: 'run the server (hooks, gateway, admin API)' },
  init: { run: initCommand, summary: 'write a commented starter .claude/ directory' },
  validate: {
    run: validateCommand,
    summary: 'check a .claude/ directory; every problem with file:line:column',
  },
  'import-settings': {
    run: importSettingsCommand,
    summary: "turn a Claude Code settings.json's permissions into a policy block",
  },
  check: { run: checkCommand, summary: 'run the policy test cases in tests/*.yaml against the policy' },
  plan: { run: planCommand, summary: 'show what applying a .claude/ directory would change' },
  apply: { run: applyCommand, summary: 'store a .claude/ directory as the active policy bundle' },
  promote: { run: promoteCommand, summary: 'make the candidate (shadow or canary) bundle the active one' },
  rollback: {
    run: rollbackCommand,
    summary: 'drop the candidate bundle, or re-activate the previous bundle',
  },
  'shadow-report': {
    run: shadowReportCommand,
    summary: 'what the candidate bundle would change, from recorded decisions',
  },
  bundles: { run: bundlesCommand, summary: 'list applied bundles, newest first' },
  keys: { run: keysCommand, summary: 'create, list, rotate and revoke API keys' },
  budgets: {
    run: budgetsCommand,
    summary: 'request, approve, deny and list increases past a budget soft cap',
  },
  machines: {
    run: machinesCommand,
    summary: 'Claude Code sessions and the managed settings they run under (--stale: out of date)',
  },
  'break-glass': {
    run: breakGlassCommand,
    summary: 'hash the break-glass admin password (stdin) for LLM_RULES_BREAK_GLASS_HASH',
  },
  connect: { run: connectCommand, summary: 'print or write the managed settings that connect Claude Code' },
  report: { run: reportCommand, summary: 'write the month’s executive summary (markdown and JSON)' },
  telemetry: { run: telemetryCommand, summary: 'archive and delete raw telemetry past its retention' },
  sync: { run: syncCommand, summary: 'write the rules, subagents and commands each coding agent reads' },
  hook: { run: hookCommand, summary: 'Claude Code command hook: forward stdin to the server, fail closed' },
  migrate: { run: migrateCommand, summary: 'apply pending storage migrations' },
  audit: { run: auditCommand, summary: 'verify, export and tail the tamper-evident audit log' },
};

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version' || name === 'version') {
    io.stdout(VERSION);
    return 0;
  }
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    io[name && name !== 'help' && name !== '--help' ? 'stderr' : 'stdout'](helpText(name));
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    return reportError(error, io);
  }
}

function helpText(unknown: string | undefined): string {
  const lines =
    unknown && unknown !== 'help' && unknown !== '--help' ? [`unknown command '${unknown}'`, ''] : [];
  lines.push(`llm-rules ${VERSION} — governance control plane for AI coding agents`, '', 'commands:');
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${summary}`);
  lines.push(
    '',
    'Storage: --data DIR (SQLite, default ./.llm-rules) or DATABASE_URL=postgres://… for PostgreSQL.',
  );
  return lines.join('\n');
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}`);
    return 2;
  }
  if (error instanceof ConfigError) {
    const problems = (error.details.problems ?? []) as ConfigProblem[];
    for (const problem of problems) io.stderr(formatProblem(problem));
    io.stderr(`error: ${error.message}`);
    return 1;
  }
  if (error instanceof AppError) {
    io.stderr(`error: ${error.message}`);
    return 1;
  }
  const detail = debugFromEnv(io.env) ? ((error as Error).stack ?? String(error)) : (error as Error).message;
  io.stderr(`error: ${detail}${debugFromEnv(io.env) ? '' : '\n(set LLM_RULES_DEBUG=1 for the stack trace)'}`);
  return 1;
}
