// `llm-rules validate [DIR]`: checks a .claude/ config directory and prints every problem with its location.

import { isAbsolute, relative, resolve } from 'node:path';
import { countProblems, formatProblem } from '../config/format-problem.ts';
import { loadPolicyConfig } from '../config/load-policy-config.ts';
import type { PolicyConfig } from '../config/policy-config.ts';
import type { CliIo } from './cli-io.ts';
import { parseFlags } from './parse-flags.ts';

const USAGE = 'llm-rules validate [DIR] [--json]   (DIR defaults to .claude)';

export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (values.help) {
    io.stdout(`usage: ${USAGE}`);
    return 0;
  }
  const dir = positionals[0] ?? '.claude';
  // io.cwd decides what a relative DIR means; when it is not the process's, load by absolute path
  // and show the problems relative to io.cwd again.
  const target = resolve(io.cwd) === process.cwd() ? dir : resolve(io.cwd, dir);
  const result = await loadPolicyConfig(target, { env: io.env });
  const problems = result.ok ? result.warnings : result.problems;
  const shown = problems.map((p) => {
    const problem = { ...p, file: shortPath(p.file, io.cwd), message: p.message.replaceAll(target, dir) };
    if (p.hint !== undefined) problem.hint = p.hint.replaceAll(target, dir);
    return problem;
  });
  if (values.json) {
    io.stdout(JSON.stringify({ ok: result.ok, dir, problems: shown }, null, 2));
    return result.ok ? 0 : 1;
  }
  for (const problem of shown) io.stderr(formatProblem(problem));
  if (!result.ok) {
    io.stderr(`${countProblems(problems)} in ${dir}`);
    return 1;
  }
  if (problems.length > 0) io.stderr(`${countProblems(problems)} in ${dir}`);
  io.stdout(`✓ ${dir} is valid: ${summarize(result.config)}`);
  return 0;
}

/** `N roles, N agents, N rules, ...` for the success line. */
export function summarize(config: PolicyConfig): string {
  const teams = config.org.business_units.flatMap((bu) => bu.teams);
  const counts: [number, string][] = [
    [Object.keys(config.roles).length, 'roles'],
    [Object.keys(config.config.agent_routing).length, 'agents'],
    [config.rules.length + config.tenants.reduce((n, t) => n + t.rules.length, 0), 'rules'],
    [config.org.business_units.length, 'business units'],
    [teams.length, 'teams'],
    [teams.reduce((n, team) => n + team.members.length, 0), 'users'],
    [config.org.budgets.length, 'budgets'],
    [config.tenants.length, 'tenants'],
  ];
  return counts.map(([n, label]) => `${n} ${label}`).join(', ');
}

/** Paths as the user typed them: relative to the working directory when inside it. */
function shortPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel === '' ? '.' : rel.startsWith('..') ? file : rel;
}
