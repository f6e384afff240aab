import { describe, expect, it } from 'vitest';
import type { SessionStanding } from '../../storage/machine-port.ts';
import { machineStatus, needsAttention } from './machine-status.ts';

const now = new Date('2026-12-06T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const session = (overrides: Partial<SessionStanding>): SessionStanding => ({
  sessionId: 's',
  principalId: 'ada@acme.test',
  checksum: 'sha256:new',
  userAgent: null,
  firstSeen: minutesAgo(5),
  lastSeen: minutesAgo(1),
  checksumServedAt: minutesAgo(2),
  latestServedAt: minutesAgo(2),
  latestChecksum: 'sha256:new',
  ...overrides,
});

describe('machine status', () => {
  it('tells current, recently replaced, stale, unknown and missing settings apart', () => {
    expect(machineStatus(session({}), now)).toBe('current');
    expect(machineStatus(session({ checksum: 'sha256:old', checksumServedAt: minutesAgo(30) }), now)).toBe(
      'previous',
    );
    expect(machineStatus(session({ checksum: 'sha256:old', checksumServedAt: minutesAgo(90) }), now)).toBe(
      'stale',
    );
    expect(machineStatus(session({ checksum: 'sha256:edited', checksumServedAt: null }), now)).toBe(
      'unknown',
    );
    expect(machineStatus(session({ checksum: null }), now)).toBe('missing');
  });

  it('flags all but current and recently replaced settings', () => {
    expect(
      ['current', 'previous', 'stale', 'unknown', 'missing'].filter((s) => needsAttention(s as never)),
    ).toEqual(['stale', 'unknown', 'missing']);
  });
});
