// The one shape of a config mistake (file, position, field path, message) and the list loaders collect into.

import { API_KEY_PREFIX } from '../core/credentials/api-key-format.ts';

export interface ConfigProblem {
  /** The file as the user sees it: the loader's `dir` argument joined with the relative path. */
  file: string;
  /** 1-based; 0 when the problem is about a whole file or directory rather than a position in it. */
  line: number;
  /** 1-based; 0 together with `line`. */
  column: number;
  /** The field path inside the file (`agent_routing.developer.permissions.tools[2]`); '' for the whole file. */
  path: string;
  message: string;
  hint?: string;
  severity: 'error' | 'warning';
}

export type FieldPath = readonly (string | number)[];

/** An LLM-RULES API key, whole or cut short (the prefix alone, as hints name it, is not one). */
const API_KEY_TEXT = new RegExp(`${API_KEY_PREFIX}[0-9A-Za-z_]{8,}`, 'g');

/**
 * A key pasted into a config file, in whatever field, is never repeated back: messages quote what was
 * written, and they reach terminals, CI logs and the admin API.
 */
function withoutApiKeys(problem: ConfigProblem): ConfigProblem {
  const hidden = (text: string) => text.replace(API_KEY_TEXT, `${API_KEY_PREFIX}…(an API key, left out)`);
  if (!problem.message.includes(API_KEY_PREFIX) && !problem.hint?.includes(API_KEY_PREFIX)) return problem;
  const out: ConfigProblem = { ...problem, message: hidden(problem.message) };
  if (problem.hint !== undefined) out.hint = hidden(problem.hint);
  return out;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['agent_routing', 'dev', 'tools', 2]` → `agent_routing.dev.tools[2]`; odd keys are quoted. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export interface ProblemOptions {
  hint?: string | undefined;
  severity?: 'error' | 'warning';
}

/** Collects every problem of a load; loaders never stop at the first one. */
export class ProblemList {
  readonly items: ConfigProblem[] = [];

  add(problem: ConfigProblem): void {
    this.items.push(withoutApiKeys(problem));
  }

  /** A problem about a whole file or directory, with no position. */
  whole(file: string, message: string, options: ProblemOptions = {}): void {
    this.add(makeProblem(file, 0, 0, '', message, options));
  }

  get errorCount(): number {
    return this.items.filter((p) => p.severity === 'error').length;
  }
}

export function makeProblem(
  file: string,
  line: number,
  column: number,
  path: string,
  message: string,
  options: ProblemOptions = {},
): ConfigProblem {
  const problem: ConfigProblem = { file, line, column, path, message, severity: options.severity ?? 'error' };
  if (options.hint !== undefined) problem.hint = options.hint;
  return problem;
}
