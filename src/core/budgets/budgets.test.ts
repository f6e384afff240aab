import { describe, expect, it } from 'vitest';
import type { BudgetConfig, OrgRef } from '../../config/policy-config.ts';
import { applicableBudgets, type BudgetSubject } from './applicable-budgets.ts';
import { periodWindow } from './budget-period.ts';

const at = new Date('2026-11-22T15:30:00Z'); // a Sunday

describe('budget periods', () => {
  it('are UTC days, ISO weeks from Monday and calendar months', () => {
    expect(periodWindow('daily', at)).toEqual({
      start: new Date('2026-11-22T00:00:00Z'),
      end: new Date('2026-11-23T00:00:00Z'),
    });
    expect(periodWindow('weekly', at)).toEqual({
      start: new Date('2026-11-16T00:00:00Z'),
      end: new Date('2026-11-23T00:00:00Z'),
    });
    expect(periodWindow('weekly', new Date('2026-11-23T00:00:00Z')).start).toEqual(
      new Date('2026-11-23T00:00:00Z'),
    );
    expect(periodWindow('monthly', at)).toEqual({
      start: new Date('2026-11-01T00:00:00Z'),
      end: new Date('2026-12-01T00:00:00Z'),
    });
    expect(periodWindow('monthly', new Date('2026-12-31T23:59:59Z')).end).toEqual(
      new Date('2027-01-01T00:00:00Z'),
    );
  });
});

const budget = (b: Partial<BudgetConfig> & Pick<BudgetConfig, 'id' | 'scope'>): BudgetConfig => ({
  amount: 10,
  period: 'monthly',
  mode: 'pooled',
  alert_thresholds: [100],
  ...b,
});

describe('applicable budgets', () => {
  const budgets = [
    budget({ id: 'company', scope: { level: 'tenant' }, amount: 1000 }),
    budget({ id: 'eng', scope: { level: 'business_unit', id: 'eng' } }),
    budget({ id: 'data', scope: { level: 'business_unit', id: 'data' } }),
    budget({
      id: 'seats',
      scope: { level: 'team', id: 'web' },
      mode: 'per_seat',
      amount: 50,
      period: 'daily',
    }),
    budget({ id: 'bob', scope: { level: 'user', id: 'bob@acme.test' }, amount: 300 }),
  ];
  const ada: BudgetSubject = {
    type: 'user',
    id: 'ada@acme.test',
    businessUnitId: 'eng',
    teamId: 'web',
    keyId: null,
    groups: [],
  };

  it('takes every budget on the path from tenant to user, a seat per user for per-seat ones', () => {
    expect(applicableBudgets(budgets, ada, at).map((b) => [b.key, b.holder, b.limitMicro])).toEqual([
      ['company', 'pool', 1_000_000_000],
      ['eng', 'pool', 10_000_000],
      ['seats/seat:ada@acme.test', 'user', 50_000_000],
    ]);
  });

  it("lets a user's own budget replace their seat", () => {
    const bob = { ...ada, id: 'bob@acme.test' };
    expect(applicableBudgets(budgets, bob, at).map((b) => b.key)).toEqual(['company', 'eng', 'bob']);
  });

  it('lets an unlimited limit of their own lift their seat, but not the pools above them', () => {
    const lifted = [
      ...budgets,
      budget({ id: 'spl_x', scope: { level: 'user', id: 'ada@acme.test' }, unlimited: true }),
    ];
    expect(applicableBudgets(lifted, ada, at).map((b) => b.key)).toEqual(['company', 'eng']);
  });

  it('dates each counter by its own period', () => {
    const seat = applicableBudgets(budgets, ada, at).find((b) => b.key.startsWith('seats'))!;
    expect(seat.periodStart).toEqual(new Date('2026-11-22T00:00:00Z'));
    expect(seat.resetsAt).toEqual(new Date('2026-11-23T00:00:00Z'));
  });

  it('takes a tenant-wide seat as the default, replaced by the seats of their business unit or team', () => {
    const seats = (scope: OrgRef, amount: number, id = `${scope.level}-seats`) =>
      budget({ id, scope, mode: 'per_seat', amount, period: 'daily' });
    const tenantDefault = seats({ level: 'tenant' }, 10);
    const withDefault = [tenantDefault, seats({ level: 'team', id: 'web' }, 50)];
    // The team's seat is larger than the org default, and still the one that applies.
    expect(applicableBudgets(withDefault, ada, at).map((b) => [b.key, b.limitMicro])).toEqual([
      ['team-seats/seat:ada@acme.test', 50_000_000],
    ]);
    // Outside any team or business unit with seats, the default.
    const cy = { ...ada, id: 'cy@acme.test', businessUnitId: 'ops', teamId: 'infra' };
    expect(applicableBudgets(withDefault, cy, at).map((b) => b.key)).toEqual([
      'tenant-seats/seat:cy@acme.test',
    ]);
    // Seats of both her business unit and her team: the most restrictive caps her (each has its counter).
    const both = [...withDefault, seats({ level: 'business_unit', id: 'eng' }, 20)];
    expect(applicableBudgets(both, ada, at).map((b) => b.key)).toEqual([
      'team-seats/seat:ada@acme.test',
      'business_unit-seats/seat:ada@acme.test',
    ]);
    // An unlimited team seat replaces the default with no seat at all.
    const lifted = [tenantDefault, { ...seats({ level: 'team', id: 'web' }, 0), unlimited: true as const }];
    expect(applicableBudgets(lifted, ada, at)).toEqual([]);
  });

  it('gives a service account its own seat, never a user budget', () => {
    const ci = {
      type: 'service_account',
      id: 'ci',
      businessUnitId: null,
      teamId: 'web',
      keyId: null,
      groups: [],
    };
    expect(applicableBudgets(budgets, ci, at).map((b) => b.key)).toEqual([
      'company',
      'seats/seat:service_account:ci',
    ]);
  });

  describe('on a key', () => {
    const laptop = budget({ id: 'ada-laptop', scope: { level: 'key', id: 'LaptopKey123' }, amount: 5 });
    const withKey = [...budgets, laptop];
    const viaLaptop = { ...ada, keyId: 'LaptopKey123' };

    it('caps the requests of that key as its holder’s own, on top of her seat and the pools', () => {
      expect(applicableBudgets(withKey, viaLaptop, at).map((b) => [b.key, b.holder])).toEqual([
        ['company', 'pool'],
        ['eng', 'pool'],
        ['seats/seat:ada@acme.test', 'user'],
        ['ada-laptop', 'user'],
      ]);
    });

    it('leaves her other keys, and requests not made with a key, to the budgets without it', () => {
      const keys = (who: BudgetSubject) => applicableBudgets(withKey, who, at).map((b) => b.key);
      const without = ['company', 'eng', 'seats/seat:ada@acme.test'];
      expect(keys({ ...ada, keyId: 'DesktopKey45' })).toEqual(without);
      expect(keys(ada)).toEqual(without);
    });

    it('never matches a person by the key id, nor a key by a person', () => {
      const named = { ...ada, id: 'LaptopKey123', keyId: 'OtherKey0000' };
      expect(applicableBudgets([laptop], named, at)).toEqual([]);
    });
  });

  describe('on a group', () => {
    const seats = (id: string, group: string, amount: number) =>
      budget({ id, scope: { level: 'group', id: group }, mode: 'per_seat', amount, period: 'daily' });
    const tenantDefault = budget({ id: 'default', scope: { level: 'tenant' }, mode: 'per_seat', amount: 10 });
    const member = { ...ada, teamId: 'api', groups: ['engineers'] };
    const outsider = { ...ada, id: 'cy@acme.test', teamId: 'api', groups: ['data-team'] };
    const keys = (list: BudgetConfig[], who: BudgetSubject) =>
      applicableBudgets(list, who, at).map((b) => [b.key, b.holder, b.limitMicro]);

    it('counts a pooled group budget for its members only, as a shared pool', () => {
      const pool = budget({ id: 'engineers-pool', scope: { level: 'group', id: 'engineers' }, amount: 40 });
      expect(keys([pool], member)).toEqual([['engineers-pool', 'pool', 40_000_000]]);
      // Another member shares the same counter: the pool's id, no seat.
      expect(keys([pool], { ...member, id: 'bo@acme.test' })).toEqual([
        ['engineers-pool', 'pool', 40_000_000],
      ]);
      expect(keys([pool], outsider)).toEqual([]);
      expect(keys([pool], ada)).toEqual([]);
    });

    it('takes a group seat in place of the tenant default, even a larger one', () => {
      const list = [tenantDefault, seats('engineers-seats', 'engineers', 50)];
      expect(keys(list, member)).toEqual([['engineers-seats/seat:ada@acme.test', 'user', 50_000_000]]);
      // Outside the group, the org default.
      expect(keys(list, outsider)).toEqual([['default/seat:cy@acme.test', 'user', 10_000_000]]);
    });

    it('gives a member of two groups with seats both, each with its counter (the more restrictive caps)', () => {
      const list = [
        tenantDefault,
        seats('engineers-seats', 'engineers', 50),
        seats('oncall-seats', 'oncall', 20),
      ];
      const both = { ...member, groups: ['oncall', 'engineers'] };
      expect(keys(list, both)).toEqual([
        ['engineers-seats/seat:ada@acme.test', 'user', 50_000_000],
        ['oncall-seats/seat:ada@acme.test', 'user', 20_000_000],
      ]);
    });

    it('lets a user override replace their group seats, and keeps the group pool above it', () => {
      const list = [
        seats('engineers-seats', 'engineers', 50),
        budget({ id: 'engineers-pool', scope: { level: 'group', id: 'engineers' }, amount: 400 }),
        budget({ id: 'ada', scope: { level: 'user', id: 'ada@acme.test' }, amount: 300 }),
      ];
      expect(keys(list, member)).toEqual([
        ['engineers-pool', 'pool', 400_000_000],
        ['ada', 'user', 300_000_000],
      ]);
    });

    it('applies a key budget and a group budget together, each with its own counter', () => {
      const list = [
        budget({ id: 'engineers-pool', scope: { level: 'group', id: 'engineers' }, amount: 400 }),
        seats('engineers-seats', 'engineers', 50),
        budget({ id: 'laptop', scope: { level: 'key', id: 'LaptopKey123' }, amount: 5 }),
      ];
      expect(keys(list, { ...member, keyId: 'LaptopKey123' })).toEqual([
        ['engineers-pool', 'pool', 400_000_000],
        ['engineers-seats/seat:ada@acme.test', 'user', 50_000_000],
        ['laptop', 'user', 5_000_000],
      ]);
    });
  });
});
