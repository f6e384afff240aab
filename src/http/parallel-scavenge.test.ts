import { describe, expect, it } from 'vitest';
import { applyParallelScavenge, parallelScavengeWanted } from './parallel-scavenge.ts';

describe('parallelScavengeWanted', () => {
  it('auto: helper threads only with more than two CPUs', () => {
    expect(parallelScavengeWanted('auto', 1)).toBe(false);
    expect(parallelScavengeWanted('auto', 2)).toBe(false);
    expect(parallelScavengeWanted('auto', 3)).toBe(true);
    expect(parallelScavengeWanted('auto', 64)).toBe(true);
  });

  it('on and off whatever the CPUs', () => {
    expect(parallelScavengeWanted('on', 1)).toBe(true);
    expect(parallelScavengeWanted('off', 64)).toBe(false);
  });
});

describe('applyParallelScavenge', () => {
  it('turns V8 parallel scavenging off, and only off', () => {
    const set: string[] = [];
    expect(applyParallelScavenge('auto', 2, (flags) => set.push(flags))).toBe(false);
    expect(applyParallelScavenge('off', 8, (flags) => set.push(flags))).toBe(false);
    expect(applyParallelScavenge('auto', 8, (flags) => set.push(flags))).toBe(true);
    expect(applyParallelScavenge('on', 1, (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual(['--no-parallel-scavenge', '--no-parallel-scavenge']);
  });

  it('reports off when node was started with it off', () => {
    const none = () => {};
    expect(applyParallelScavenge('on', 8, none, ['--no-parallel-scavenge'])).toBe(false);
    expect(applyParallelScavenge('auto', 8, none, ['--single-threaded-gc'])).toBe(false);
    expect(applyParallelScavenge('auto', 8, none, ['--max-old-space-size=512'])).toBe(true);
  });
});
