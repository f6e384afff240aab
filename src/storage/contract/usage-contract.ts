// Contract: UsageStore — idempotent per request, 64-bit amounts, filters, tenant isolation.

import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../usage-port.ts';
import { at, type ContractContext, uid } from './contract-fixtures.ts';

/** A gateway usage record for the storage contract (the telemetry contract rolls these up too). */
export function usageFixture(
  tenantId: string,
  requestId: string,
  overrides: Partial<UsageRecord> = {},
): UsageRecord {
  return {
    tenantId,
    requestId,
    at: at(1),
    principal: { type: 'user', id: 'ada@example.com' },
    keyId: 'k1',
    businessUnitId: 'eng',
    teamId: 'platform',
    sessionId: 's1',
    agentId: null,
    model: 'claude-sonnet-5',
    upstream: 'anthropic',
    status: 200,
    outcome: 'complete',
    stream: true,
    tokens: { input: 1200, output: 300, cacheWrite5m: 50, cacheWrite1h: 0, cacheRead: 9000 },
    costMicro: 7_350,
    pricedAs: 'claude-sonnet-5',
    priceVersion: '2026-11-22',
    latencyMs: 812,
    ttfbMs: 240,
    ...overrides,
  };
}

export function usageContract(ctx: ContractContext): void {
  describe('usage', () => {
    it('round-trips every field, 64-bit amounts included', async () => {
      const t = uid('use');
      const big = usageFixture(t, 'r-big', {
        tokens: { input: 3_000_000_000, output: 1, cacheWrite5m: 2, cacheWrite1h: 3, cacheRead: 4 },
        costMicro: 9_000_000_000_123,
        agentId: 'agent-7',
        ttfbMs: null,
        stream: false,
        outcome: 'aborted',
        pricedAs: null,
      });
      await ctx.storage().usage.insert([usageFixture(t, 'r1'), big]);
      expect(await ctx.storage().usage.list(t)).toEqual(
        [usageFixture(t, 'r-big', big), usageFixture(t, 'r1')].sort((a, b) =>
          a.requestId < b.requestId ? -1 : 1,
        ),
      );
    });

    it('stores a request once, however often or from however many instances it is written', async () => {
      const t = uid('use');
      const other = ctx.storage().dialect === 'memory' ? ctx.storage() : await ctx.another();
      await Promise.all([
        ctx.storage().usage.insert([usageFixture(t, 'r1'), usageFixture(t, 'r2')]),
        other.usage.insert([usageFixture(t, 'r1', { costMicro: 1 }), usageFixture(t, 'r3')]),
        ctx.storage().usage.insert([usageFixture(t, 'r2')]),
      ]);
      const rows = await ctx.storage().usage.list(t);
      expect(rows.map((r) => r.requestId)).toEqual(['r1', 'r2', 'r3']);
    });

    it('filters by time and session and keeps tenants apart', async () => {
      const t = uid('use');
      const u = uid('use');
      await ctx
        .storage()
        .usage.insert([
          usageFixture(t, 'a', { at: at(1), sessionId: 's1' }),
          usageFixture(t, 'b', { at: at(2), sessionId: 's2' }),
          usageFixture(t, 'c', { at: at(3), sessionId: 's1' }),
          usageFixture(u, 'a', { at: at(1) }),
        ]);
      const ids = async (query: Parameters<ReturnType<ContractContext['storage']>['usage']['list']>[1]) =>
        (await ctx.storage().usage.list(t, query)).map((r) => r.requestId);
      expect(await ids({ sessionId: 's1' })).toEqual(['a', 'c']);
      expect(await ids({ since: at(2) })).toEqual(['b', 'c']);
      expect(await ids({ until: at(2) })).toEqual(['a']);
      expect(await ids({ limit: 2 })).toEqual(['a', 'b']);
      expect((await ctx.storage().usage.list(u)).map((r) => r.tenantId)).toEqual([u]);
    });

    it('sums spend over a time range, for everyone or one principal', async () => {
      const t = uid('use');
      const bob = { type: 'user' as const, id: 'bob@example.com' };
      await ctx
        .storage()
        .usage.insert([
          usageFixture(t, 'a', { at: at(1), costMicro: 100 }),
          usageFixture(t, 'b', { at: at(2), costMicro: 20 }),
          usageFixture(t, 'c', { at: at(3), costMicro: 3, principal: bob }),
          usageFixture(t, 'd', { at: at(4), costMicro: 3_000_000_000_000 }),
        ]);
      const spend = ctx.storage().usage.spend.bind(ctx.storage().usage);
      expect(await spend(t, { since: at(0) })).toBe(3_000_000_000_123);
      expect(await spend(t, { since: at(2), until: at(4) })).toBe(23);
      expect(await spend(t, { since: at(0), principal: bob })).toBe(3);
      expect(await spend(uid('use'), { since: at(0) })).toBe(0);
    });
  });
}
