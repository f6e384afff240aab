// Contract: the audit store chains gaplessly per tenant, also under concurrent appends from two instances,
// lists by time, seq and event, keeps tenants apart, and leaves a checkpoint from which retention's rest verifies.

import { describe, expect, it } from 'vitest';
import { type AuditEntry, GENESIS_HASH } from '../../core/audit-chain/audit-record.ts';
import { verifyChain } from '../../core/audit-chain/verify-chain.ts';
import { sha256Hex } from '../audit-sha256.ts';
import type { AuditStore, Storage, TenantId } from '../ports.ts';
import { at, type ContractContext, uid } from './contract-fixtures.ts';

function entry(i: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    timestamp: at(i * 1000),
    event: i % 2 ? 'tool_use' : 'decision',
    user: 'ada@example.com',
    agent: i % 3 ? 'claude-code' : null,
    sessionId: `session-${i}`,
    bundleRevision: i % 2 ? 'ab'.repeat(32) : null,
    context: {
      i,
      tool: 'Read',
      text: 'Grüße ✓ "quoted"\n',
      nested: { list: [1, 2.5, -3], flag: true, none: null },
    },
    ...overrides,
  };
}

async function verifies(audit: AuditStore, tenantId: TenantId) {
  const checkpoint = (await audit.checkpoints(tenantId)).at(-1);
  const head = await audit.head(tenantId);
  return verifyChain(await audit.list(tenantId), {
    sha256: sha256Hex,
    tenantId,
    ...(checkpoint ? { checkpoint } : {}),
    ...(head ? { head } : {}),
  });
}

export function auditContract(ctx: ContractContext): void {
  describe('audit', () => {
    const audit = () => ctx.storage().audit;

    it('assigns seq from 1, chains from the genesis, and round-trips every field', async () => {
      const t = uid('audit');
      expect(await audit().head(t)).toBeUndefined();
      const first = await audit().append(t, [entry(0), entry(1)]);
      const second = await audit().append(t, [entry(2)]);
      expect([...first, ...second].map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(first[0]!.prevHash).toBe(GENESIS_HASH);
      expect(second[0]!.prevHash).toBe(first[1]!.hash);
      expect(await audit().list(t)).toEqual([...first, ...second]);
      expect(await audit().head(t)).toEqual({ seq: 3, hash: second[0]!.hash });
      expect(await verifies(audit(), t)).toMatchObject({ ok: true, verified: 3 });
      expect(await audit().append(t, [])).toEqual([]);
    });

    it('refuses an invalid entry and stores nothing of its batch', async () => {
      const t = uid('audit');
      await expect(audit().append(t, [entry(0), entry(1, { event: 'nope' as never })])).rejects.toThrow(
        /not an audit event/,
      );
      expect(await audit().list(t)).toEqual([]);
      expect(await audit().head(t)).toBeUndefined();
    });

    it('lists by time, after a seq, by event, with a limit', async () => {
      const t = uid('audit');
      await audit().append(
        t,
        [0, 1, 2, 3, 4, 5].map((i) => entry(i)),
      );
      const seqs = async (q: Parameters<AuditStore['list']>[1]) =>
        (await audit().list(t, q)).map((r) => r.seq);
      expect(await seqs({ since: at(2000), until: at(4000) })).toEqual([3, 4]);
      expect(await seqs({ afterSeq: 4 })).toEqual([5, 6]);
      expect(await seqs({ event: 'decision' })).toEqual([1, 3, 5]);
      expect(await seqs({ afterSeq: 1, limit: 2 })).toEqual([2, 3]);
      await expect(audit().list(t, { since: new Date(Number.NaN) })).rejects.toThrow(/since/);
    });

    it('never forks or gaps the chain under concurrent appends from two instances', async () => {
      const t = uid('audit');
      // The fake's instances share nothing, so it proves the same with one instance.
      const other = ctx.storage().dialect === 'memory' ? ctx.storage() : await ctx.another();
      const instances: Storage[] = [ctx.storage(), other];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => instances[i % 2]!.audit.append(t, [entry(i), entry(i + 100)])),
      );
      const records = await audit().list(t);
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect(await verifies(audit(), t)).toMatchObject({ ok: true, verified: 80 });
      expect(await other.audit.head(t)).toEqual(await audit().head(t));
    });

    it('retention removes the old prefix and leaves a checkpoint the rest verifies from', async () => {
      const t = uid('audit');
      const all = await audit().append(
        t,
        [0, 1, 2, 3, 4].map((i) => entry(i)),
      );
      // A record older than the cut that follows a newer one stays: only a prefix can go.
      await audit().append(t, [entry(6), entry(1)]);
      expect(await audit().deleteBefore(t, at(2500), at(99))).toBe(3);
      expect((await audit().list(t)).map((r) => r.seq)).toEqual([4, 5, 6, 7]);
      expect(await audit().checkpoints(t)).toEqual([
        { tenantId: t, seq: 3, hash: all[2]!.hash, createdAt: at(99), removed: 3 },
      ]);
      expect(await verifies(audit(), t)).toMatchObject({ ok: true, verified: 4 });
      expect(await audit().deleteBefore(t, at(2500), at(100))).toBe(0);
      expect(await audit().deleteBefore(t, at(10_000), at(101))).toBe(4);
      expect(await audit().list(t)).toEqual([]);
      const next = await audit().append(t, [entry(9)]);
      expect(next[0]).toMatchObject({ seq: 8 });
      expect(await verifies(audit(), t)).toMatchObject({ ok: true, verified: 1 });
      expect(await audit().deleteBefore(uid('audit'), at(10_000))).toBe(0);
    });

    it('keeps tenants apart: append, list, head, checkpoints, retention and tenants()', async () => {
      const [a, b] = [uid('audit-a'), uid('audit-b')];
      await audit().append(b, [entry(0), entry(1), entry(2)]);
      const bBefore = {
        records: await audit().list(b),
        head: await audit().head(b),
        checkpoints: await audit().checkpoints(b),
      };
      const aRecords = await audit().append(a, [entry(0), entry(1)]);
      expect(aRecords.map((r) => [r.tenantId, r.seq])).toEqual([
        [a, 1],
        [a, 2],
      ]);
      expect(aRecords[0]!.hash).not.toBe(bBefore.records[0]!.hash);
      expect((await audit().list(a)).every((r) => r.tenantId === a)).toBe(true);
      expect(await audit().list(a, { afterSeq: 2 })).toEqual([]);
      expect(await audit().deleteBefore(a, at(10_000), at(5))).toBe(2);
      expect(await audit().checkpoints(a)).toHaveLength(1);
      expect({
        records: await audit().list(b),
        head: await audit().head(b),
        checkpoints: await audit().checkpoints(b),
      }).toEqual(bBefore);
      const tenants = await audit().tenants();
      expect(tenants).toEqual(expect.arrayContaining([a, b]));
      expect(tenants).toEqual([...tenants].sort());
    });
  });
}
