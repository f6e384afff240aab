import { describe, expect, it } from 'vitest';
import type { BudgetConfig } from '../../config/policy-config.ts';
import { applicableBudgets } from '../../core/budgets/applicable-budgets.ts';
import { configLimitView, isMemberCap, isPerMember } from './spend-limit-views.ts';

const budget = (id: string, scope: BudgetConfig['scope'], mode: BudgetConfig['mode']): BudgetConfig => ({
  id,
  scope,
  amount: 50,
  period: 'monthly',
  mode,
  alert_thresholds: [],
});
const engineers = { level: 'group', id: 'engineers' } as const;
const seat = budget('engineers-seat', engineers, 'per_seat');
const pool = budget('engineers-pool', engineers, 'pooled');
const keyCap = budget('laptop', { level: 'key', id: 'LaptopKey123' }, 'pooled');

describe('spend-limit views of group budgets', () => {
  it('lists a group seat as a member limit of scope group, never its pool or a key budget', () => {
    const listed = [seat, pool, keyCap].filter(isPerMember);
    expect(listed.map((b) => b.id)).toEqual(['engineers-seat']);
    expect(configLimitView(listed[0]!, new Date(0)).scope).toEqual({
      type: 'group',
      group_id: 'engineers',
    });
  });

  it('takes a member’s group seat as a cap of theirs, the group pool as shared', () => {
    const who = {
      type: 'user',
      id: 'ada@acme.test',
      businessUnitId: null,
      teamId: null,
      keyId: null,
      groups: ['engineers'],
    };
    const caps = applicableBudgets([seat, pool], who, new Date(0)).filter(isMemberCap);
    expect(caps.map((c) => c.budget.id)).toEqual(['engineers-seat']);
  });
});
