// How far a session's managed settings are from what its developer was last served. `previous` is a
// document replaced less than an hour ago (sessions poll hourly: the protocol says to keep accepting
// it that long); `stale`, one replaced earlier; `unknown`, a checksum never served to this developer
// (settings edited or added to on the machine, or not ours); `missing`, no checksum at all (an older
// client, `claude ssh`, or a machine not connected with /login). Only a signal, never a control.
import type { SessionStanding } from '../../storage/machine-port.ts';

export type MachineStatus = 'current' | 'previous' | 'stale' | 'unknown' | 'missing';

/** A replaced document is still fine for this long. */
export const GRACE_MS = 3_600_000;

export function machineStatus(session: SessionStanding, now: Date): MachineStatus {
  if (session.checksum === null) return 'missing';
  if (session.checksum === session.latestChecksum) return 'current';
  if (session.checksumServedAt === null) return 'unknown';
  return now.getTime() - session.checksumServedAt.getTime() <= GRACE_MS ? 'previous' : 'stale';
}

export const needsAttention = (status: MachineStatus) => status !== 'current' && status !== 'previous';
