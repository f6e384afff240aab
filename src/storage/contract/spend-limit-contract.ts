// Contract: SpendLimitStore — one limit per (user, period), replaced in place (same id), also when set
// from two instances at once; null amounts kept as null; scoped to its tenant; deleted once.

import { describe, expect, it } from 'vitest';
import type { SpendLimitWrite } from '../spend-limit-port.ts';
import { at, type ContractContext, orgSnapshot, uid } from './contract-fixtures.ts';

export function spendLimitContract(ctx: ContractContext): void {
  describe('spend limits', () => {
    const store = () => ctx.storage().spendLimits;
    const tenant = async () => {
      const t = uid('spl');
      await ctx.storage().org.sync(t, orgSnapshot(t), at(0));
      return t;
    };
    const write = (tenantId: string, overrides: Partial<SpendLimitWrite> = {}): SpendLimitWrite => ({
      tenantId,
      userId: 'ada@example.com',
      period: 'monthly',
      amountCents: 50_000,
      at: at(1_000),
      by: 'root@example.com',
      ...overrides,
    });

    it('creates a limit with every field as given, then replaces its amount under the same id', async () => {
      const t = await tenant();
      const first = await store().upsert(write(t));
      expect(first.before).toBeUndefined();
      expect(first.limit).toEqual({
        tenantId: t,
        id: expect.stringMatching(/^spl_[0-9a-f]{24}$/),
        userId: 'ada@example.com',
        period: 'monthly',
        amountCents: 50_000,
        createdAt: at(1_000),
        updatedAt: at(1_000),
        updatedBy: 'root@example.com',
      });
      const second = await store().upsert(write(t, { amountCents: null, at: at(2_000), by: 'service:ci' }));
      expect(second.before).toEqual(first.limit);
      expect(second.limit).toEqual({
        ...first.limit,
        amountCents: null,
        updatedAt: at(2_000),
        updatedBy: 'service:ci',
      });
      expect(await store().get(t, first.limit.id)).toEqual(second.limit);
    });

    it('keeps one limit per user and period, even when two instances set it at once', async () => {
      const t = await tenant();
      const other = ctx.storage().dialect === 'memory' ? ctx.storage() : await ctx.another();
      const [a, b] = await Promise.all([
        store().upsert(write(t, { amountCents: 100 })),
        other.spendLimits.upsert(write(t, { amountCents: 200 })),
      ]);
      expect(a.limit.id).toBe(b.limit.id);
      await store().upsert(write(t, { period: 'daily', amountCents: 10 }));
      const listed = await store().list(t);
      expect(listed.map((l) => [l.userId, l.period])).toEqual([
        ['ada@example.com', 'daily'],
        ['ada@example.com', 'monthly'],
      ]);
      expect([100, 200]).toContain(listed[1]!.amountCents);
    });

    it('keeps limits to their tenant, and deletes once', async () => {
      const t = await tenant();
      const other = await tenant();
      const { limit } = await store().upsert(write(t));
      expect(await store().get(other, limit.id)).toBeUndefined();
      expect(await store().delete(other, limit.id)).toBeUndefined();
      expect(await store().list(other)).toEqual([]);
      expect(await store().delete(t, limit.id)).toEqual(limit);
      expect(await store().delete(t, limit.id)).toBeUndefined();
      expect(await store().list(t)).toEqual([]);
    });
  });
}
