// Renders a config problem the way compilers do: `file:line:col severity path: message`, then the hint.

import type { ConfigProblem } from './config-problem.ts';

export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  const field = p.path === '' ? '' : `${p.path}: `;
  const head = `${where} ${p.severity} ${field}${p.message}`;
  return p.hint === undefined ? head : `${head}\n  hint: ${p.hint}`;
}

/** `2 errors, 1 warning` — the counts for a summary line. */
export function countProblems(problems: readonly ConfigProblem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}
