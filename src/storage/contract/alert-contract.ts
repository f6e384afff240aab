// Contract: AlertStore — version-guarded state commits (one winner across instances), history, idempotent
// outbox entries, delivery leases and attempts, read positions, and the deployment-wide evaluator lease.

import { describe, expect, it } from 'vitest';
import type { AlertNotification } from '../../core/alerts/alert-notification.ts';
import type { AlertCommit, AlertStateWrite, AlertTransitionWrite, NewAlertDelivery } from '../alert-port.ts';
import type { Storage } from '../ports.ts';
import { at, type ContractContext, orgSnapshot, uid } from './contract-fixtures.ts';

const notification = (overrides: Partial<AlertNotification> = {}): AlertNotification => ({
  source: 'budget',
  status: 'firing',
  repeat: false,
  tenantId: 't',
  alert: 'budget:team-api',
  severity: 'warning',
  scope: 'team:team-api',
  instanceId: 'inst-1',
  startsAt: at(0).toISOString(),
  endsAt: null,
  condition: null,
  value: 12.345678,
  valueText: '$12.35',
  summary: 'Grüße ✓ "quoted"\n',
  budget: {
    budget: 'team-api',
    counter: 'team-api',
    scope: 'team:team-api',
    mode: 'pooled',
    period: 'monthly',
    periodStart: at(0).toISOString(),
    resetsAt: at(1_000).toISOString(),
    threshold: 80,
    spentUsd: 12.345678,
    limitUsd: 15,
    user: null,
  },
  ...overrides,
});

const state = (overrides: Partial<AlertStateWrite> = {}): AlertStateWrite => ({
  alert: 'daily_cost',
  scope: 'tenant',
  status: 'firing',
  severity: 'critical',
  channel: 'ops',
  instanceId: 'inst-1',
  activeSince: at(1_000),
  firedAt: at(2_000),
  lastNotifiedAt: at(2_000),
  resolvedAt: null,
  value: 0.075,
  updatedAt: at(2_000),
  ...overrides,
});

const transition = (overrides: Partial<AlertTransitionWrite> = {}): AlertTransitionWrite => ({
  alert: 'daily_cost',
  scope: 'tenant',
  instanceId: 'inst-1',
  from: 'pending',
  to: 'firing',
  severity: 'critical',
  value: 0.075,
  at: at(2_000),
  ...overrides,
});

const delivery = (overrides: Partial<NewAlertDelivery> = {}): NewAlertDelivery => ({
  id: uid('dlv'),
  channel: 'ops',
  notification: notification(),
  at: at(2_000),
  ...overrides,
});

export function alertContract(ctx: ContractContext): void {
  describe('alerts', () => {
    const store = () => ctx.storage().alerts;
    const tenant = async () => {
      const t = uid('alr');
      await ctx.storage().org.sync(t, orgSnapshot(t), at(0));
      return t;
    };
    const commit = (c: Partial<AlertCommit> & { tenantId: string }, s: Storage = ctx.storage()) =>
      s.alerts.commit({ transitions: [], deliveries: [], ...c });
    const other = async () => (ctx.storage().dialect === 'memory' ? ctx.storage() : await ctx.another());

    it('stores a state, its transition and its notification together, each field as given', async () => {
      const t = await tenant();
      const d = delivery();
      expect(
        await commit({
          tenantId: t,
          state: { expectedVersion: 0, next: state() },
          transitions: [transition()],
          deliveries: [d],
        }),
      ).toBe(true);
      expect(await store().states(t)).toEqual([{ ...state(), tenantId: t, version: 1 }]);
      expect(await store().history(t)).toEqual([{ ...transition(), tenantId: t, seq: expect.any(Number) }]);
      expect(await store().deliveries(t)).toEqual([
        {
          tenantId: t,
          id: d.id,
          channel: 'ops',
          notification: notification(),
          status: 'pending',
          attempts: 0,
          nextAttemptAt: at(2_000),
          leaseUntil: null,
          lastError: null,
          createdAt: at(2_000),
          deliveredAt: null,
          failedAt: null,
        },
      ]);
    });

    it('writes nothing of a commit computed from a version that has moved on', async () => {
      const t = await tenant();
      expect(await commit({ tenantId: t, state: { expectedVersion: 0, next: state() } })).toBe(true);
      const stale = {
        tenantId: t,
        state: { expectedVersion: 0, next: state({ status: 'resolved' }) },
        transitions: [transition({ from: 'firing', to: 'resolved' })],
        deliveries: [delivery()],
      };
      expect(await commit(stale)).toBe(false);
      expect(await commit({ ...stale, state: { ...stale.state, expectedVersion: 2 } })).toBe(false);
      expect(await store().history(t)).toEqual([]);
      expect(await store().deliveries(t)).toEqual([]);
      expect(await commit({ ...stale, state: { ...stale.state, expectedVersion: 1 } })).toBe(true);
      expect(await store().states(t)).toEqual([
        { ...state({ status: 'resolved' }), tenantId: t, version: 2 },
      ]);
    });

    it('lets exactly one of two instances commit from the same version', async () => {
      const t = await tenant();
      await commit({ tenantId: t, state: { expectedVersion: 0, next: state() } });
      const second = await other();
      const attempt = (s: Storage, value: number) =>
        commit(
          {
            tenantId: t,
            state: { expectedVersion: 1, next: state({ value }) },
            transitions: [transition({ value })],
          },
          s,
        );
      const results = await Promise.all([attempt(ctx.storage(), 1), attempt(second, 2)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const [only] = await store().states(t);
      expect(only?.version).toBe(2);
      expect((await store().history(t)).map((h) => h.value)).toEqual([only?.value]);
    });

    it('keeps one delivery per id, so a producer may retry', async () => {
      const t = await tenant();
      const d = delivery({ id: 'budget:42' });
      await commit({ tenantId: t, deliveries: [d] });
      await commit({ tenantId: t, deliveries: [{ ...d, channel: 'other', at: at(9_000) }] });
      const listed = await store().deliveries(t);
      expect(listed.map((x) => [x.id, x.channel])).toEqual([['budget:42', 'ops']]);
    });

    it('hands a due delivery to one claimant until its lease ends, and records each attempt', async () => {
      const t = await tenant();
      const d = delivery();
      await commit({ tenantId: t, deliveries: [d] });
      const mine = async (now: Date) =>
        (await store().dueDeliveries(now, 10_000)).filter((x) => x.tenantId === t).map((x) => x.id);
      expect(await mine(at(1_999))).toEqual([]);
      expect(await mine(at(2_000))).toEqual([d.id]);

      const second = await other();
      const claims = await Promise.all([
        store().claimDelivery(t, d.id, at(2_000), at(32_000)),
        second.alerts.claimDelivery(t, d.id, at(2_000), at(32_000)),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await mine(at(3_000))).toEqual([]);
      // A claimant that died: its lease runs out and the delivery is due again.
      expect(await mine(at(32_000))).toEqual([d.id]);
      expect(await store().claimDelivery(t, d.id, at(32_000), at(62_000))).toBe(true);

      const retried = await store().finishAttempt(t, d.id, {
        result: 'retry',
        at: at(33_000),
        error: 'HTTP 500: boom',
        nextAttemptAt: at(43_000),
      });
      expect(retried).toMatchObject({
        status: 'pending',
        attempts: 1,
        leaseUntil: null,
        nextAttemptAt: at(43_000),
        lastError: 'HTTP 500: boom',
      });
      expect(await mine(at(42_999))).toEqual([]);
      expect(await store().claimDelivery(t, d.id, at(43_000), at(73_000))).toBe(true);
      const delivered = await store().finishAttempt(t, d.id, { result: 'delivered', at: at(44_000) });
      expect(delivered).toMatchObject({
        status: 'delivered',
        attempts: 2,
        nextAttemptAt: null,
        deliveredAt: at(44_000),
        failedAt: null,
        lastError: 'HTTP 500: boom',
      });
      expect(await mine(at(99_000))).toEqual([]);
      expect(await store().claimDelivery(t, d.id, at(99_000), at(129_000))).toBe(false);
    });

    it('marks a delivery failed with its error, and lists deliveries by status, newest first', async () => {
      const t = await tenant();
      const [older, newer] = [delivery({ at: at(1_000) }), delivery({ at: at(5_000) })];
      await commit({ tenantId: t, deliveries: [older, newer] });
      await store().claimDelivery(t, older.id, at(6_000), at(9_000));
      const failed = await store().finishAttempt(t, older.id, {
        result: 'failed',
        at: at(7_000),
        error: 'connect ECONNREFUSED',
      });
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 1,
        failedAt: at(7_000),
        nextAttemptAt: null,
      });
      expect((await store().deliveries(t)).map((x) => x.id)).toEqual([newer.id, older.id]);
      expect((await store().deliveries(t, { status: 'failed' })).map((x) => x.lastError)).toEqual([
        'connect ECONNREFUSED',
      ]);
      expect(await store().deliveries(t, { status: 'delivered' })).toEqual([]);
      expect(await store().deliveries(t, { limit: 1 })).toHaveLength(1);
      expect(await store().finishAttempt(t, 'missing', { result: 'delivered', at: at(1) })).toBeUndefined();
    });

    it('lists history newest first, by alert, and keeps everything to its tenant', async () => {
      const t = await tenant();
      const elsewhere = await tenant();
      await commit({
        tenantId: t,
        state: { expectedVersion: 0, next: state() },
        transitions: [
          transition({ from: 'inactive', to: 'pending', at: at(1_000) }),
          transition({ at: at(2_000) }),
          transition({ alert: 'error_rate', at: at(3_000) }),
        ],
        deliveries: [delivery()],
        cursor: { name: 'budget', from: undefined, to: 7 },
      });
      expect((await store().history(t)).map((h) => [h.alert, h.to])).toEqual([
        ['error_rate', 'firing'],
        ['daily_cost', 'firing'],
        ['daily_cost', 'pending'],
      ]);
      expect((await store().history(t, { alert: 'daily_cost', limit: 1 })).map((h) => h.to)).toEqual([
        'firing',
      ]);
      expect(await store().states(elsewhere)).toEqual([]);
      expect(await store().history(elsewhere)).toEqual([]);
      expect(await store().deliveries(elsewhere)).toEqual([]);
      expect(await store().cursor(elsewhere, 'budget')).toBeUndefined();
    });

    it('moves a read position per tenant and name only from where it is, so events are taken once', async () => {
      const t = await tenant();
      expect(await store().cursor(t, 'budget')).toBeUndefined();
      const take = (from: number | undefined, to: number, s: Storage = ctx.storage()) =>
        commit(
          { tenantId: t, cursor: { name: 'budget', from, to }, transitions: [transition({ at: at(to) })] },
          s,
        );
      expect(await take(undefined, 3)).toBe(true);
      expect(await take(undefined, 4)).toBe(false);
      expect(await take(2, 4)).toBe(false);
      expect(await take(3, 2 ** 40)).toBe(true);
      expect(await store().cursor(t, 'budget')).toBe(2 ** 40);
      expect(await store().cursor(t, 'other')).toBeUndefined();
      const second = await other();
      const raced = await Promise.all([take(2 ** 40, 2 ** 40 + 1), take(2 ** 40, 2 ** 40 + 1, second)]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await store().history(t)).toHaveLength(3);
    });

    it('gives the lease to one holder at a time, until it expires or is released', async () => {
      const name = uid('lease');
      expect(await store().acquireLease(name, 'a', at(0), at(30_000))).toBe(true);
      expect(await store().acquireLease(name, 'b', at(1_000), at(31_000))).toBe(false);
      expect(await store().acquireLease(name, 'a', at(20_000), at(50_000))).toBe(true);
      expect(await store().acquireLease(name, 'b', at(49_999), at(79_999))).toBe(false);
      expect(await store().acquireLease(name, 'b', at(50_000), at(80_000))).toBe(true);
      await store().releaseLease(name, 'a');
      expect(await store().acquireLease(name, 'a', at(51_000), at(81_000))).toBe(false);
      await store().releaseLease(name, 'b');
      expect(await store().acquireLease(name, 'a', at(51_000), at(81_000))).toBe(true);

      const contested = uid('lease');
      const second = await other();
      const results = await Promise.all([
        store().acquireLease(contested, 'x', at(0), at(30_000)),
        second.alerts.acquireLease(contested, 'y', at(0), at(30_000)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
