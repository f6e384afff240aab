// Temporary directories that tests create and remove.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EXAMPLE_CONFIG = join(REPO_ROOT, 'examples/acme/.claude');

export async function tempDir(
  prefix = 'llm-rules-test-',
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A private, editable copy of the example enterprise's `.claude/`. */
export async function copyExampleConfig(into: string): Promise<string> {
  const target = join(into, '.claude');
  await cp(EXAMPLE_CONFIG, target, { recursive: true });
  return target;
}

/** A minimal `.claude/` holding one file (plus whatever else the caller writes), for config round-trips. */
export async function writeConfigFile(into: string, name: string, content: string): Promise<string> {
  const dir = join(into, '.claude');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), content);
  return dir;
}
