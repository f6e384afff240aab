// Whether V8 collects the young generation with helper threads (its default) or on the main thread alone.
//
// Helper threads shorten each scavenge when cores sit idle. On a host with two CPUs or fewer they have
// none: they take their share from the event loop, the gateway's bottleneck, and from the SQLite writer
// thread. Measured with the gateway bench on a 2-vCPU VM, eleven interleaved pairs of quick runs, medians:
// throughput at concurrency 64 went from 63 % to 72 % of the undici passthrough's (JSON) and from 63 % to
// 68 % (stream); CPU a request over the passthrough's from 1.90x to 1.87x and from 2.06x to 1.83x. The
// pairs scatter widely on that shared VM (throughput 47-81 % with helper threads, 49-101 % without).
// The flag is read at every scavenge, so setting it once the process runs takes effect (a test spawns a
// process to check that this Node honours it).
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

export type ParallelScavenge = 'auto' | 'on' | 'off';

/** `auto`: helper threads only where there are more than this many CPUs. */
export const AUTO_MAX_SERIAL_CPUS = 2;

export function parallelScavengeWanted(setting: ParallelScavenge, cpus: number): boolean {
  if (setting === 'auto') return cpus > AUTO_MAX_SERIAL_CPUS;
  return setting === 'on';
}

/** Flags given to node itself that already keep scavenges on the main thread. */
const SERIAL_NODE_FLAGS = new Set(['--no-parallel-scavenge', '--single-threaded-gc']);

/**
 * Sets V8's parallel scavenging for this process from the `parallelScavenge` server option; returns
 * whether it is on. Only ever turns it off: on is V8's default, and a flag given to node itself
 * (`node --no-parallel-scavenge ...`) is left alone, and reported.
 */
export function applyParallelScavenge(
  setting: ParallelScavenge,
  cpus: number = availableParallelism(),
  setFlags: (flags: string) => void = setFlagsFromString,
  nodeFlags: readonly string[] = process.execArgv,
): boolean {
  if (!parallelScavengeWanted(setting, cpus)) {
    setFlags('--no-parallel-scavenge');
    return false;
  }
  return !nodeFlags.some((flag) => SERIAL_NODE_FLAGS.has(flag));
}
