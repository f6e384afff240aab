// Test helper: writes a map of `.claude/`-relative paths to contents into a fresh temp directory.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type LoadResult, loadPolicyConfig } from '../load-policy-config.ts';

const created: string[] = [];

/** A minimal valid base; tests override or add files. */
export const BASE_FILES: Readonly<Record<string, string>> = {
  'config.yaml': 'policy:\n  decision: deny\n',
  'permissions.yaml':
    'roles:\n  admin: [agents:*, config:*]\n  developer: [agents:developer, rules:read]\n  viewer: [rules:read]\n',
};

/** Writes `files` (null deletes a base file) into `<tmp>/.claude` and returns that directory. */
export function writeConfigTree(files: Readonly<Record<string, string | null>>, withBase = true): string {
  const root = mkdtempSync(join(tmpdir(), 'llm-rules-config-'));
  created.push(root);
  const dir = join(root, '.claude');
  mkdirSync(dir);
  const all: Record<string, string | null> = withBase ? { ...BASE_FILES, ...files } : { ...files };
  for (const [rel, content] of Object.entries(all)) {
    if (content === null) continue;
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

export function cleanupConfigTrees(): void {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** Loads a tree and returns its problems with file paths relative to the `.claude` directory. */
export async function problemsOf(
  files: Readonly<Record<string, string | null>>,
  env: Record<string, string> = {},
): Promise<
  {
    file: string;
    line: number;
    column: number;
    path: string;
    message: string;
    hint?: string;
    severity: string;
  }[]
> {
  const dir = writeConfigTree(files);
  const result: LoadResult = await loadPolicyConfig(dir, { env });
  const problems = result.ok ? result.warnings : result.problems;
  return problems.map((p) => ({
    ...p,
    file: p.file.startsWith(dir) ? p.file.slice(dir.length + 1) : p.file,
  }));
}

export type ShownProblem = Awaited<ReturnType<typeof problemsOf>>[number];

/** The errors of a tree (warnings dropped). */
export async function errorsOf(
  files: Readonly<Record<string, string | null>>,
  env: Record<string, string> = {},
): Promise<ShownProblem[]> {
  return (await problemsOf(files, env)).filter((p) => p.severity === 'error');
}

/** The one error of a tree; fails the test when there is not exactly one. */
export async function onlyError(
  files: Readonly<Record<string, string | null>>,
  env: Record<string, string> = {},
): Promise<ShownProblem> {
  const errors = await errorsOf(files, env);
  if (errors.length !== 1)
    throw new Error(`expected exactly one error, got ${errors.length}: ${JSON.stringify(errors, null, 2)}`);
  return errors[0]!;
}
