// Whether V8 collects the young generation with helper threads (its default) or on the main thread alone.
//
// Helper threads shorten each scavenge when cores sit idle. On a host with two CPUs or fewer they have
// none: they take their share from the event loop and the SQLite writer thread, and the work spent
// splitting and stealing is overhead. Measured with the gateway bench on a 2-vCPU VM, six interleaved
// pairs of quick runs, medians: the server's CPU a request over the undici passthrough's went from 1.99×
// to 1.83× (JSON) and from 2.18× to 1.74× (stream); its throughput from 64 % to 72 % of the
// passthrough's (JSON) and from 62 % to 70 % (stream).
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
