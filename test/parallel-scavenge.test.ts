// V8 flags set after start "may result in unpredictable behavior" (Node's docs): this checks, in a
// process of its own, that the one `llm-rules serve` sets is honoured by this Node, by reading V8's
// trace of each scavenge: with it off, no scavenge has any helper-thread time.
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/temp-dir.ts';

/**
 * Helper-thread time (ms) of the last scavenges the probe's process ran: those of its allocation loop,
 * after the setting was applied (loading the TypeScript before it scavenges a few times with V8's default).
 */
async function backgroundScavengeMs(setting: string, cpus: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--trace-gc-nvp',
      join(REPO_ROOT, 'bin/run-ts.js'),
      join(REPO_ROOT, 'test/support/scavenge-probe.ts'),
      setting,
      String(cpus),
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  expect(stdout).toContain('kept ');
  return stdout
    .split('\n')
    .filter((line) => line.includes(' gc=s '))
    .map((line) => Number(/ background\.scavenge\.parallel=([\d.]+)/.exec(line)?.[1] ?? Number.NaN))
    .slice(-LAST);
}

const LAST = 10;

describe('parallel scavenging, set at run time', () => {
  it('off: every scavenge runs on the main thread alone', async () => {
    const times = await backgroundScavengeMs('auto', 2);
    expect(times).toHaveLength(LAST);
    expect(times.every((ms) => ms === 0)).toBe(true);
  }, 30_000);

  it.skipIf(availableParallelism() < 2)(
    'on (the default): helper threads take part',
    async () => {
      const times = await backgroundScavengeMs('auto', 8);
      expect(times).toHaveLength(LAST);
      expect(times.some((ms) => ms > 0)).toBe(true);
    },
    30_000,
  );
});
