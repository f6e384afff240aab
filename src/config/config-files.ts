// File-system access for the loaders: locating, listing and parsing files under the `.claude/` directory.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ProblemList } from './config-problem.ts';
import type { EnvMap } from './env-interpolation.ts';
import { parseSource, type SourceFile } from './source-file.ts';

/** What every loader needs: where the config is, the environment for `${VAR}`, where problems go. */
export interface LoadContext {
  dir: string;
  env: EnvMap;
  problems: ProblemList;
}

export function displayPath(ctx: LoadContext, rel: string): string {
  return rel === '' ? ctx.dir : join(ctx.dir, rel);
}

export async function pathKind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/** Entries of a directory (relative to it), sorted; empty when it does not exist. */
export async function listDir(ctx: LoadContext, rel: string): Promise<{ name: string; isDir: boolean }[]> {
  try {
    const entries = await readdir(join(ctx.dir, rel), { withFileTypes: true });
    return entries
      .map((entry) => ({ name: entry.name, isDir: entry.isDirectory() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** Every file below `rel`, as `.claude/`-relative paths with forward slashes, sorted; dotfiles skipped. */
export async function listFilesDeep(ctx: LoadContext, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await listDir(ctx, rel)) {
    if (entry.name.startsWith('.')) continue;
    const child = posix.join(rel, entry.name);
    if (entry.isDir) out.push(...(await listFilesDeep(ctx, child)));
    else out.push(child);
  }
  return out;
}

export async function readText(ctx: LoadContext, rel: string): Promise<string | undefined> {
  try {
    return await readFile(join(ctx.dir, rel), 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.problems.whole(displayPath(ctx, rel), `cannot read file: ${reason}`);
    return undefined;
  }
}

/** Reads and parses a YAML (or, by extension, JSON) file; undefined when unreadable or broken. */
export async function readSource(ctx: LoadContext, rel: string): Promise<SourceFile | undefined> {
  const text = await readText(ctx, rel);
  if (text === undefined) return undefined;
  return parseSource(
    text,
    { file: displayPath(ctx, rel), rel, env: ctx.env, json: rel.endsWith('.json') },
    ctx.problems,
  );
}

/**
 * The one existing file among `base.yaml|yml` (and `.json` if allowed) in `relDir`; several spellings of
 * the same file are ambiguous and reported.
 */
export async function findVariant(
  ctx: LoadContext,
  relDir: string,
  base: string,
  extensions: readonly string[] = ['yaml', 'yml'],
): Promise<string | undefined> {
  const found: string[] = [];
  for (const ext of extensions) {
    const rel = posix.join(relDir, `${base}.${ext}`);
    if ((await pathKind(join(ctx.dir, rel))) === 'file') found.push(rel);
  }
  if (found.length > 1) {
    for (const extra of found.slice(1)) {
      ctx.problems.whole(displayPath(ctx, extra), `both ${found[0]} and ${extra} exist`, {
        hint: 'keep one of them; only the first is read',
      });
    }
  }
  return found[0];
}

/** Treats an empty file as an empty mapping and reports a top level that is not a mapping. */
export function topLevelMapping(ctx: LoadContext, source: SourceFile): Record<string, unknown> | undefined {
  if (source.value === null || source.value === undefined) return {};
  if (typeof source.value === 'object' && !Array.isArray(source.value))
    return source.value as Record<string, unknown>;
  ctx.problems.add({
    file: source.file,
    line: 1 + source.lineOffset,
    column: 1,
    path: '',
    message: 'expected a mapping (key: value) at the top level',
    severity: 'error',
  });
  return undefined;
}
