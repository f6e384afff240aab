// Writes the commented starter `.claude/` directory used by `llm-rules init`.

import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConflictError } from '../core/errors/app-error.ts';
import { STARTER_FILES } from './starter/starter-files.ts';

/** Writes the starter into `targetDir` (the `.claude` directory itself); never overwrites a file. */
export async function writeStarterConfig(targetDir: string): Promise<string[]> {
  const paths = Object.keys(STARTER_FILES).map((rel) => join(targetDir, rel));
  const existing: string[] = [];
  for (const path of paths) {
    if (await exists(path)) existing.push(path);
  }
  if (existing.length > 0) {
    throw new ConflictError(
      `${targetDir} already has a config (${existing.length} of the starter files exist); nothing was written. ` +
        'Edit it, or choose another directory.',
      { existing },
    );
  }
  for (const [rel, content] of Object.entries(STARTER_FILES)) {
    const path = join(targetDir, rel);
    await mkdir(dirname(path), { recursive: true });
    // 'wx' fails rather than overwrite a file created since the check above.
    await writeFile(path, content, { flag: 'wx' });
  }
  return paths;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
