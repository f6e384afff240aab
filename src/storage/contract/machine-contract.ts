// Contract: MachineStore — documents served per user, one row per session however often it reports,
// and each session's standing against what its principal was served.
import { describe, expect, it } from 'vitest';
import { at, type ContractContext, orgSnapshot, uid } from './contract-fixtures.ts';

export function machineContract(ctx: ContractContext): void {
  describe('machines', () => {
    const store = () => ctx.storage().machines;
    const tenant = async () => {
      const t = uid('mach');
      await ctx.storage().org.sync(t, orgSnapshot(t), at(0));
      return t;
    };
    const report = (
      tenantId: string,
      sessionId: string,
      checksum: string | null,
      offset: number,
      principalId = 'ada@example.com',
    ) => ({
      tenantId,
      sessionId,
      principalId,
      checksum,
      userAgent: 'claude-cli/2.1.330 (external, cli)',
      at: at(offset),
    });

    it('joins each session with what its principal was served, newest session first', async () => {
      const t = await tenant();
      await store().recordServed([
        { tenantId: t, userId: 'ada@example.com', checksum: 'sha256:old', at: at(1_000) },
        { tenantId: t, userId: 'ada@example.com', checksum: 'sha256:new', at: at(5_000) },
        { tenantId: t, userId: 'ada@example.com', checksum: 'sha256:old', at: at(2_000) },
      ]);
      await store().recordReports([
        report(t, 's-current', 'sha256:new', 6_000),
        report(t, 's-old', 'sha256:old', 7_000),
        report(t, 's-none', null, 8_000),
        report(t, 's-bob', 'sha256:other', 9_000, 'bob@example.com'),
      ]);
      const sessions = await store().sessions(t, at(0));
      expect(sessions.map((s) => s.sessionId)).toEqual(['s-bob', 's-none', 's-old', 's-current']);
      expect(sessions.find((s) => s.sessionId === 's-old')).toMatchObject({
        checksum: 'sha256:old',
        checksumServedAt: at(2_000),
        latestServedAt: at(5_000),
        latestChecksum: 'sha256:new',
        firstSeen: at(7_000),
        lastSeen: at(7_000),
      });
      expect(sessions.find((s) => s.sessionId === 's-none')).toMatchObject({
        checksum: null,
        checksumServedAt: null,
      });
      expect(sessions.find((s) => s.sessionId === 's-bob')).toMatchObject({
        checksumServedAt: null,
        latestServedAt: null,
      });
    });

    it('keeps one row per session, with its first sighting and its latest report', async () => {
      const t = await tenant();
      await store().recordReports([report(t, 's1', null, 1_000), report(t, 's1', 'sha256:a', 3_000)]);
      await store().recordReports([report(t, 's1', 'sha256:b', 4_000)]);
      const [session] = await store().sessions(t, at(0));
      expect(session).toMatchObject({
        sessionId: 's1',
        checksum: 'sha256:b',
        firstSeen: at(1_000),
        lastSeen: at(4_000),
      });
      expect(await store().sessions(t, at(5_000))).toEqual([]);
    });

    it('keeps sessions to their tenant', async () => {
      const t = await tenant();
      const other = await tenant();
      await store().recordReports([report(t, 's1', 'sha256:a', 1_000)]);
      expect(await store().sessions(other, at(0))).toEqual([]);
    });
  });
}
