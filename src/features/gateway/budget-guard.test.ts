import { describe, expect, it } from 'vitest';
import type { BudgetConfig } from '../../config/policy-config.ts';
import { MemoryBudgetStore } from '../../storage/memory/memory-budget-store.ts';
import { BudgetAllotments } from './budget-allotments.ts';
import { BudgetGuard, type ThresholdEvent } from './budget-guard.ts';

const silent = { error: () => {} };
const now = new Date(Date.UTC(2026, 11, 6, 12));
const who = {
  type: 'user' as const,
  id: 'alice@acme.test',
  businessUnitId: null,
  teamId: 'payments',
  keyId: 'AAAAAAAAAAAA',
  groups: [] as string[],
};
const budgets: BudgetConfig[] = [
  {
    id: 'acme',
    scope: { level: 'tenant' },
    amount: 10,
    period: 'monthly',
    mode: 'pooled',
    alert_thresholds: [],
  },
  {
    id: 'alice',
    scope: { level: 'user', id: 'alice@acme.test' },
    amount: 1,
    period: 'daily',
    mode: 'pooled',
    alert_thresholds: [50],
  },
];
const request = (requestId: string, worstCaseMicro = 1_000) => ({
  tenantId: 'acme',
  requestId,
  budgets,
  who,
  worstCaseMicro,
  now,
});

describe('BudgetGuard without waiting', () => {
  it('admits and settles like the waiting path once the slices are held, and still marks thresholds', async () => {
    const events: ThresholdEvent[] = [];
    const allotments = new BudgetAllotments(new MemoryBudgetStore(), silent);
    const guard = new BudgetGuard(allotments, silent, async (event) => {
      events.push(event);
    });
    // Nothing held yet: the caller is sent to admit.
    expect(guard.admitNow(request('r0'))).toBeUndefined();
    const waited = await guard.admit(request('r1'));
    const immediate = guard.admitNow(request('r2'))!;
    expect(immediate.budgets.map((b) => b.key)).toEqual(['acme', 'alice']);
    expect(immediate.headers).toEqual(waited.headers);
    expect(
      guard.settleNow({
        tenantId: 'acme',
        requestId: 'r2',
        admission: immediate,
        actualMicro: 600_000,
        now,
        user: 'alice@acme.test',
      }),
    ).toBe(true);
    await guard.settle({ tenantId: 'acme', requestId: 'r1', admission: waited, actualMicro: 0, now });
    // 60 % of alice's dollar: the usage headers say so, and her 50 % threshold was marked once.
    // Spend past the slice's room sends the next request to the store (which takes a larger slice).
    expect(guard.admitNow(request('r3'))).toBeUndefined();
    const after = await guard.admit(request('r3'));
    expect(after.headers['anthropic-ratelimit-unified-overage-utilization']).toBe('0.60');
    await new Promise((r) => setTimeout(r, 10));
    expect(events.map((e) => [e.budget.key, e.threshold])).toEqual([['alice', 50]]);
    // A soft-capped budget needs the approvals: always the waiting path.
    const soft = [{ ...budgets[1]!, approval_required_above: 0.5 }];
    expect(guard.admitNow({ ...request('r5'), budgets: soft })).toBeUndefined();
    await allotments.close();
  });

  it('keeps a key budget to its key: the cached budgets of one key are not another key’s', async () => {
    const allotments = new BudgetAllotments(new MemoryBudgetStore(), silent);
    const guard = new BudgetGuard(allotments, silent, async () => {});
    const keyCap: BudgetConfig = {
      id: 'laptop-key',
      scope: { level: 'key', id: 'AAAAAAAAAAAA' },
      amount: 1,
      period: 'daily',
      mode: 'pooled',
      alert_thresholds: [],
    };
    const withKey = { ...request('k1'), budgets: [...budgets, keyCap] };
    await guard.admit(withKey);
    expect(guard.admitNow({ ...withKey, requestId: 'k2' })!.budgets.map((b) => b.key)).toEqual([
      'acme',
      'alice',
      'laptop-key',
    ]);
    const otherKey = { ...withKey, requestId: 'k3', who: { ...who, keyId: 'BBBBBBBBBBBB' } };
    expect(guard.admitNow(otherKey)!.budgets.map((b) => b.key)).toEqual(['acme', 'alice']);
    await allotments.close();
  });

  it('keeps a group budget to its members: the cached budgets of a non-member are not a member’s', async () => {
    const allotments = new BudgetAllotments(new MemoryBudgetStore(), silent);
    const guard = new BudgetGuard(allotments, silent, async () => {});
    const pool: BudgetConfig = {
      id: 'engineers-pool',
      scope: { level: 'group', id: 'engineers' },
      amount: 1,
      period: 'daily',
      mode: 'pooled',
      alert_thresholds: [],
    };
    const withGroup = { ...request('g1'), budgets: [...budgets, pool] };
    await guard.admit(withGroup);
    expect(guard.admitNow({ ...withGroup, requestId: 'g2' })!.budgets.map((b) => b.key)).toEqual([
      'acme',
      'alice',
    ]);
    const member = { ...who, groups: ['oncall', 'engineers'] };
    await guard.admit({ ...withGroup, requestId: 'g3', who: member });
    expect(guard.admitNow({ ...withGroup, requestId: 'g4', who: member })!.budgets.map((b) => b.key)).toEqual(
      ['acme', 'alice', 'engineers-pool'],
    );
    // The same groups in another order give the same budgets; the non-member's entry is still hers.
    const reordered = { ...who, groups: ['engineers', 'oncall'] };
    expect(
      guard.admitNow({ ...withGroup, requestId: 'g5', who: reordered })!.budgets.map((b) => b.key),
    ).toEqual(['acme', 'alice', 'engineers-pool']);
    expect(guard.admitNow({ ...withGroup, requestId: 'g6' })!.budgets.map((b) => b.key)).toEqual([
      'acme',
      'alice',
    ]);
    await allotments.close();
  });
});
