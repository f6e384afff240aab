// Applies a sync plan to a directory, or checks it (`--check`): writes only files whose content changed,
// never touches a file without the generated-file header, and removes generated files no longer planned.
import { readdir, readFile, unlink } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import { writeFileAtomically } from '../../../cli/write-file-atomically.ts';
import { isGenerated, sameGeneratedContent } from './generated-header.ts';
import type { GeneratedLocation, PlannedFile } from './render-types.ts';

/** Written: created, updated, removed. Checked: missing, stale, extra. Either: unchanged, hand-written. */
export type SyncStatus =
  | 'created'
  | 'updated'
  | 'removed'
  | 'missing'
  | 'stale'
  | 'extra'
  | 'unchanged'
  | 'hand-written';

export interface SyncOutcome {
  path: string;
  status: SyncStatus;
}

export interface SyncTarget {
  files: readonly PlannedFile[];
  locations: readonly GeneratedLocation[];
}

export async function applySync(
  root: string,
  target: SyncTarget,
  options: { check: boolean },
): Promise<SyncOutcome[]> {
  const outcomes: SyncOutcome[] = [];
  for (const file of target.files) {
    const absolute = inside(root, file.path);
    const existing = await readExisting(absolute);
    let status: SyncStatus;
    if (existing === undefined)
      status = 'hand-written'; // a directory stands there
    else if (existing === null) status = options.check ? 'missing' : 'created';
    else if (file.ownership !== 'always' && !isGenerated(existing)) status = 'hand-written';
    else if (
      file.ownership === 'always' ? existing === file.content : sameGeneratedContent(existing, file.content)
    )
      status = 'unchanged';
    else status = options.check ? 'stale' : 'updated';
    if (status === 'created' || status === 'updated') await writeFileAtomically(absolute, file.content);
    outcomes.push({ path: file.path, status });
  }
  const planned = new Set(target.files.map((file) => file.path));
  for (const path of await generatedFilesIn(root, target.locations)) {
    if (planned.has(path)) continue;
    if (!options.check) await unlink(inside(root, path));
    outcomes.push({ path, status: options.check ? 'extra' : 'removed' });
  }
  return outcomes;
}

/** The file's text; null when there is none; undefined when something else (a directory) is there. */
async function readExisting(path: string): Promise<string | null | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') return undefined;
    throw error;
  }
}

async function generatedFilesIn(root: string, locations: readonly GeneratedLocation[]): Promise<string[]> {
  const found: string[] = [];
  for (const { dir, suffix } of locations) {
    let names: string[];
    try {
      const entries = await readdir(inside(root, dir), { withFileTypes: true });
      names = entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => e.name);
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) continue;
      throw error;
    }
    for (const name of names.sort()) {
      const path = posix.join(dir, name);
      if (isGenerated(await readFile(inside(root, path), 'utf8'))) found.push(path);
    }
  }
  return found;
}

/** Planned paths come from rule ids and agent names; refuse any that would leave the target directory. */
function inside(root: string, path: string): string {
  if (isAbsolute(path) || path.split('/').some((segment) => segment === '..' || segment === ''))
    throw new Error(`refusing to write outside the target directory: ${path}`);
  return join(root, path);
}
