// Scratch directories for benchmarks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function benchTempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'llm-rules-bench-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
