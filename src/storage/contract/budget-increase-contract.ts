// Contract: BudgetIncreaseStore — requests, one decision each (also across instances), approved sums by expiry.

import { describe, expect, it } from 'vitest';
import type { BudgetIncreaseRequest } from '../budget-increase-port.ts';
import { INCREASE_ID } from '../budget-increase-port.ts';
import { at, type ContractContext, uid } from './contract-fixtures.ts';

const period = at(0);

function ask(tenantId: string, overrides: Partial<BudgetIncreaseRequest> = {}): BudgetIncreaseRequest {
  return {
    tenantId,
    budgetId: 'team',
    counterKey: 'team',
    periodStart: period,
    amountMicro: 50_000_000,
    reason: 'release week',
    requestedBy: 'ada@example.com',
    at: at(1),
    ...overrides,
  };
}

export function budgetIncreaseContract(ctx: ContractContext): void {
  describe('budget increases', () => {
    const store = () => ctx.storage().budgetIncreases;

    it('stores a request as pending, with every field as given', async () => {
      const t = uid('inc');
      const made = await store().request(ask(t));
      expect(made.id).toMatch(INCREASE_ID);
      const expected = {
        ...ask(t),
        id: made.id,
        status: 'pending',
        decidedBy: null,
        decidedAt: null,
        expiresAt: null,
        note: null,
      };
      expect(made).toEqual(expected);
      expect(await store().get(t, made.id)).toEqual(expected);
      expect(await store().get(uid('other'), made.id)).toBeUndefined();
    });

    it('decides a request once: a later decision, from any instance, changes nothing', async () => {
      const t = uid('inc');
      const made = await store().request(ask(t));
      const approved = await store().decide(t, made.id, {
        status: 'approved',
        by: 'grace@example.com',
        at: at(2),
        expiresAt: at(500),
        note: 'ok for the launch',
      });
      expect(approved).toMatchObject({
        status: 'approved',
        decidedBy: 'grace@example.com',
        decidedAt: at(2),
        expiresAt: at(500),
        note: 'ok for the launch',
      });
      // Two instances over one database, as two servers have; the in-memory fake has only itself.
      const other = ctx.storage().dialect === 'memory' ? ctx.storage() : await ctx.another();
      const late = await other.budgetIncreases.decide(t, made.id, { status: 'denied', by: 'eve', at: at(3) });
      expect(late).toEqual(approved);
      expect(
        await store().decide(t, 'inc_000000000000', { status: 'denied', by: 'eve', at: at(3) }),
      ).toBeUndefined();
      // Another tenant cannot decide it.
      expect(
        await store().decide(uid('other'), made.id, { status: 'denied', by: 'eve', at: at(3) }),
      ).toBeUndefined();
    });

    it('sums approved increases per counter and period until each expires; pending and denied add nothing', async () => {
      const t = uid('inc');
      const approve = async (req: BudgetIncreaseRequest, expiresAt: Date) => {
        const made = await store().request(req);
        await store().decide(t, made.id, { status: 'approved', by: 'grace', at: at(2), expiresAt });
      };
      await approve(ask(t, { amountMicro: 10 }), at(100));
      await approve(ask(t, { amountMicro: 20 }), at(300));
      await approve(ask(t, { counterKey: 'team/seat:ada', amountMicro: 5 }), at(300));
      const denied = await store().request(ask(t, { amountMicro: 1_000 }));
      await store().decide(t, denied.id, { status: 'denied', by: 'grace', at: at(2) });
      await store().request(ask(t, { amountMicro: 2_000 }));

      const byKey = async (now: Date) =>
        Object.fromEntries((await store().approved(t, now)).map((a) => [a.counterKey, a]));
      expect(await byKey(at(50))).toEqual({
        team: { counterKey: 'team', periodStart: period, amountMicro: 30, firstExpiry: at(100) },
        'team/seat:ada': {
          counterKey: 'team/seat:ada',
          periodStart: period,
          amountMicro: 5,
          firstExpiry: at(300),
        },
      });
      expect((await byKey(at(100))).team).toMatchObject({ amountMicro: 20, firstExpiry: at(300) });
      expect(await byKey(at(300))).toEqual({});
    });

    it('lists a tenant’s requests newest first, filtered by status and budget', async () => {
      const t = uid('inc');
      const first = await store().request(ask(t, { at: at(1) }));
      const second = await store().request(ask(t, { at: at(2), budgetId: 'ml', counterKey: 'ml' }));
      await store().decide(t, first.id, { status: 'denied', by: 'grace', at: at(3) });
      expect((await store().list(t)).map((r) => r.id)).toEqual([second.id, first.id]);
      expect((await store().list(t, { status: 'pending' })).map((r) => r.id)).toEqual([second.id]);
      expect((await store().list(t, { budgetId: 'team' })).map((r) => r.id)).toEqual([first.id]);
      expect(await store().list(uid('other'))).toEqual([]);
    });
  });
}
