// V8 flags set after start "may result in unpredictable behavior" (Node's docs): this checks, in a
// process of its own, that the one `llm-rules serve` sets is honoured by this Node, by reading V8's
// trace of each scavenge: with it off, no scavenge has any helper-thread time.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/temp-dir.ts';

/** Helper-thread time (ms) of each scavenge the probe ran after applying the setting. */
async function backgroundScavengeMs(setting: string, cpus: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
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
    .map((line) => Number(/ background\.scavenge\.parallel=([\d.]+)/.exec(line)?.[1] ?? Number.NaN));
}

describe('parallel scavenging, set at run time', () => {
  it('off: every scavenge runs on the main thread alone', async () => {
    const times = await backgroundScavengeMs('auto', 2);
    expect(times.length).toBeGreaterThan(10);
    expect(times.every((ms) => ms === 0)).toBe(true);
  }, 30_000);

  // V8 runs helper threads even on one CPU (pinned with taskset, they still took part), so this control
  // holds on any machine.
  it('on (the default): helper threads take part', async () => {
    const times = await backgroundScavengeMs('auto', 8);
    expect(times.length).toBeGreaterThan(10);
    expect(times.some((ms) => ms > 0)).toBe(true);
  }, 30_000);
});
