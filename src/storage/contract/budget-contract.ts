// Contract: BudgetStore — all-or-nothing reservations, atomic across instances, idempotent settlement, leases.

import { describe, expect, it } from 'vitest';
import type { BudgetCharge } from '../budget-port.ts';
import { at, type ContractContext, uid } from './contract-fixtures.ts';

const period = at(0);
const charge = (key: string, limitMicro: number): BudgetCharge => ({ key, periodStart: period, limitMicro });

export function budgetContract(ctx: ContractContext): void {
  describe('budgets', () => {
    const reserve = (
      t: string,
      requestId: string,
      charges: BudgetCharge[],
      amountMicro: number,
      now = at(1),
      leaseUntil = at(100),
    ) => ctx.storage().budgets.reserve({ tenantId: t, requestId, charges, amountMicro, now, leaseUntil });

    it('holds the amount on every counter, or on none when one would overflow', async () => {
      const t = uid('bud');
      const ok = await reserve(t, 'r1', [charge('team', 100), charge('user', 50)], 30);
      expect(ok).toMatchObject({ ok: true });
      const refused = await reserve(t, 'r2', [charge('team', 100), charge('user', 50)], 30);
      expect(refused).toMatchObject({
        ok: false,
        exceeded: { key: 'user', spentMicro: 0, reservedMicro: 30 },
      });
      // Nothing of the refused request was held on the team counter.
      expect(await ctx.storage().budgets.standings(t, [charge('team', 100)], at(2))).toEqual([
        { ...charge('team', 100), spentMicro: 0, reservedMicro: 30 },
      ]);
    });

    it('settles the actual cost once, releasing the hold, however often settlement is retried', async () => {
      const t = uid('bud');
      const counters = [charge('team', 100)];
      await reserve(t, 'r1', counters, 40);
      expect(await ctx.storage().budgets.settle(t, 'r1', counters, 12, at(2))).toBe(true);
      expect(await ctx.storage().budgets.settle(t, 'r1', counters, 12, at(3))).toBe(false);
      expect(await ctx.storage().budgets.standings(t, counters, at(4))).toEqual([
        { ...charge('team', 100), spentMicro: 12, reservedMicro: 0 },
      ]);
    });

    it('frees the hold of a request whose lease ran out, and still counts it if it settles late', async () => {
      const t = uid('bud');
      const counters = [charge('team', 100)];
      await reserve(t, 'crashed', counters, 80, at(1), at(5));
      expect(await reserve(t, 'r2', counters, 80, at(2), at(50))).toMatchObject({ ok: false });
      // After the lease: the hold is gone, so a new request fits.
      expect(await reserve(t, 'r3', counters, 80, at(6), at(50))).toMatchObject({
        ok: true,
        standings: [{ reservedMicro: 80 }],
      });
      expect(await ctx.storage().budgets.settle(t, 'crashed', counters, 10, at(7))).toBe(true);
      expect(await ctx.storage().budgets.standings(t, counters, at(8))).toEqual([
        { ...charge('team', 100), spentMicro: 10, reservedMicro: 80 },
      ]);
    });

    it('never lets concurrent reservations from two instances overdraw a counter', async () => {
      const t = uid('bud');
      const other = ctx.storage().dialect === 'memory' ? ctx.storage() : await ctx.another();
      const counters = [charge('pool', 1_000), charge(`seat-${uid('s')}`, 10_000)];
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? ctx.storage() : other).budgets.reserve({
            tenantId: t,
            requestId: `r${i}`,
            charges: counters,
            amountMicro: 100,
            now: at(1),
            leaseUntil: at(100),
          }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(10);
      expect((await ctx.storage().budgets.standings(t, counters, at(2)))[0]).toMatchObject({
        reservedMicro: 1_000,
      });
    });

    it('keeps tenants and periods apart', async () => {
      const t = uid('bud');
      const u = uid('bud');
      await reserve(t, 'r1', [charge('x', 100)], 100);
      expect(await reserve(u, 'r1', [charge('x', 100)], 100)).toMatchObject({ ok: true });
      const nextPeriod = { key: 'x', periodStart: at(1000), limitMicro: 100 };
      expect(await reserve(t, 'r2', [nextPeriod], 100)).toMatchObject({ ok: true });
    });

    it('marks a threshold passed once per counter and period, across instances', async () => {
      const t = uid('bud');
      const other = ctx.storage().dialect === 'memory' ? ctx.storage() : await ctx.another();
      const counter = { key: 'team', periodStart: period };
      const first = await Promise.all([
        ctx.storage().budgets.markThreshold(t, counter, 75, at(1)),
        other.budgets.markThreshold(t, counter, 75, at(1)),
      ]);
      expect(first.filter(Boolean)).toHaveLength(1);
      expect(await ctx.storage().budgets.markThreshold(t, counter, 90, at(2))).toBe(true);
      expect(
        await ctx.storage().budgets.markThreshold(t, { ...counter, periodStart: at(99) }, 75, at(3)),
      ).toBe(true);
    });

    it('decides a batch of reservations in order, as if one after another, and settles a batch once each', async () => {
      const t = uid('bud');
      const counters = [charge('team', 100)];
      const reservation = (requestId: string, amountMicro: number) => ({
        tenantId: t,
        requestId,
        charges: counters,
        amountMicro,
        now: at(1),
        leaseUntil: at(100),
      });
      const results = await ctx
        .storage()
        .budgets.reserveMany([reservation('a', 60), reservation('b', 60), reservation('c', 40)]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
      const settled = await ctx.storage().budgets.settleMany([
        { tenantId: t, requestId: 'a', counters, actualMicro: 10, now: at(2) },
        { tenantId: t, requestId: 'c', counters, actualMicro: 5, now: at(2) },
        { tenantId: t, requestId: 'a', counters, actualMicro: 10, now: at(2) },
      ]);
      expect(settled).toEqual([true, true, false]);
      expect(await ctx.storage().budgets.standings(t, counters, at(3))).toEqual([
        { ...charge('team', 100), spentMicro: 15, reservedMicro: 0 },
      ]);
    });

    it('draws a long-lived hold down into spend and back, renewing its lease, and counts spend of a lost hold', async () => {
      const t = uid('bud');
      const team = charge('team', 100);
      const draw = (spendMicro: number, releaseMicro: number, now: Date, leaseUntil = at(200)) =>
        ctx
          .storage()
          .budgets.drawDownMany([
            { tenantId: t, holdId: 'slice-1', counter: team, spendMicro, releaseMicro, leaseUntil, now },
          ]);
      await reserve(t, 'slice-1', [team], 60, at(1), at(50));
      expect(await draw(10, 5, at(2))).toEqual([{ heldMicro: 45, spentMicro: 10, reservedMicro: 45 }]);
      // The lease was renewed to at(200): a reservation at at(60) does not free the slice.
      expect(await reserve(t, 'other', [team], 45, at(60))).toMatchObject({ ok: true });
      expect(await draw(0, 45, at(61))).toEqual([{ heldMicro: 0, spentMicro: 10, reservedMicro: 45 }]);
      // The slice is gone; spend drawn on it still counts, and nothing else is released.
      expect(await draw(7, 3, at(62))).toEqual([{ heldMicro: 0, spentMicro: 17, reservedMicro: 45 }]);
    });
  });
}
