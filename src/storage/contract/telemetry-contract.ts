// Contract: TelemetryStore — events round-trip by day, rollups add up (from telemetry and from gateway
// usage records, each counted once), group and filter, and tenants stay apart.

import { describe, expect, it } from 'vitest';
import { rollupIncrements } from '../../core/analytics/rollup.ts';
import { toolRollupIncrements } from '../../core/analytics/tool-rollup.ts';
import { at, type ContractContext, telemetryEvent as event, orgSnapshot, uid } from './contract-fixtures.ts';
import { usageFixture } from './usage-contract.ts';

const dims = (user: string, team = 'team-a', model = 'claude-sonnet-5') => ({
  business_unit: 'bu-eng',
  team,
  user,
  agent: '',
  model,
});

export function telemetryContract(ctx: ContractContext): void {
  describe('telemetry', () => {
    async function tenant(): Promise<string> {
      const id = uid('tel');
      await ctx.storage().org.sync(id, orgSnapshot(id), at(0));
      return id;
    }

    it('round-trips events, 64-bit costs and attributes included, and finds them by time and name', async () => {
      const t = await tenant();
      const a = event();
      const b = event({
        name: 'tool_decision',
        at: at(86_400_000),
        decision: 'reject',
        tool: 'Read',
        success: null,
        value: 2.5,
        costMicro: 0,
      });
      await ctx.storage().telemetry.ingest(t, [a, b], []);
      expect(await ctx.storage().telemetry.events(t, { since: at(0), until: at(2 * 86_400_000) })).toEqual([
        a,
        b,
      ]);
      expect(
        await ctx
          .storage()
          .telemetry.events(t, { since: at(0), until: at(2 * 86_400_000), name: 'tool_decision' }),
      ).toEqual([b]);
      expect(await ctx.storage().telemetry.events(t, { since: at(2), until: at(2 * 86_400_000) })).toEqual([
        b,
      ]);
    });

    it('lists the days holding events, pages through one, and deletes only the rows up to a sequence', async () => {
      const t = await tenant();
      const day1 = [
        event({ at: at(1) }),
        event({ at: at(2), name: 'user_prompt' }),
        event({ at: at(3), name: 'tool_result' }),
      ];
      await ctx.storage().telemetry.ingest(t, [...day1, event({ at: at(86_400_000) })], []);
      const first = Math.floor(at(0).getTime() / 86_400_000);
      const dayOf = (ms: number) => {
        const d = new Date(ms);
        return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
      };
      const [d1, d2] = [dayOf(first * 86_400_000), dayOf((first + 1) * 86_400_000)];
      expect(await ctx.storage().telemetry.eventDays(t, d2 + 1)).toEqual([d1, d2]);
      expect(await ctx.storage().telemetry.eventDays(t, d2)).toEqual([d1]);
      const page1 = await ctx.storage().telemetry.dayEvents(t, d1, { limit: 2 });
      const page2 = await ctx.storage().telemetry.dayEvents(t, d1, { afterSeq: page1.at(-1)!.seq, limit: 2 });
      expect([...page1, ...page2].map((p) => p.event.name)).toEqual([
        'api_request',
        'user_prompt',
        'tool_result',
      ]);
      // A row that arrived after the archive was written (a higher seq) is not deleted with the day.
      expect(await ctx.storage().telemetry.dropDay(t, d1, page1.at(-1)!.seq)).toBe(2);
      expect(
        (await ctx.storage().telemetry.dayEvents(t, d1, { limit: 10 })).map((p) => p.event.name),
      ).toEqual(['tool_result']);
      expect(await ctx.storage().telemetry.dropDay(uid('tel'), d2, Number.MAX_SAFE_INTEGER)).toBe(0);
    });

    it('adds rollups up across batches, and groups and filters them', async () => {
      const t = await tenant();
      const batch = (user: string, cost: number) =>
        rollupIncrements([{ at: at(1), dims: dims(user), measures: { requests: 1, cost_micro: cost } }]);
      await ctx.storage().telemetry.ingest(t, [], batch('ada', 5));
      await ctx.storage().telemetry.ingest(t, [], batch('ada', 7));
      await ctx.storage().telemetry.ingest(t, [], batch('bob', 11));
      const query = { granularity: 'day' as const, since: at(-86_400_000), until: at(86_400_000) };
      const byUser = await ctx.storage().telemetry.rollups(t, { ...query, groupBy: ['user'] });
      expect(byUser.map((g) => [g.key.user, g.measures.requests, g.measures.cost_micro]).sort()).toEqual([
        ['ada', 2, 12],
        ['bob', 1, 11],
      ]);
      const total = await ctx.storage().telemetry.rollups(t, { ...query, groupBy: [] });
      expect(total.map((g) => g.measures.cost_micro)).toEqual([23]);
      const onlyBob = await ctx
        .storage()
        .telemetry.rollups(t, { ...query, groupBy: ['team'], where: { user: ['bob'] } });
      expect(onlyBob.map((g) => [g.key.team, g.measures.cost_micro])).toEqual([['team-a', 11]]);
      const minutes = await ctx
        .storage()
        .telemetry.rollups(t, { ...query, granularity: 'minute', groupBy: [], byBucket: true });
      expect(minutes.map((g) => [g.key.bucket, g.measures.requests])).toEqual([
        [Math.floor(at(1).getTime() / 60_000) * 60_000, 3],
      ]);
      expect(await ctx.storage().telemetry.activeUsers(t, query)).toBe(2);
      expect(await ctx.storage().telemetry.activeUsers(t, { ...query, where: { user: ['bob'] } })).toBe(1);
      const other = await tenant();
      expect((await ctx.storage().telemetry.rollups(other, { ...query, groupBy: ['user'] })).length).toBe(0);
      expect(await ctx.storage().telemetry.activeUsers(other, query)).toBe(0);
      // Pruning one granularity before a time leaves the others and later rows.
      expect(await ctx.storage().telemetry.pruneRollups(t, 'minute', at(-3_600_000))).toBe(0);
      expect(await ctx.storage().telemetry.pruneRollups(t, 'minute', at(60_000 * 60))).toBe(2);
      expect(
        await ctx
          .storage()
          .telemetry.rollups(t, { ...query, granularity: 'minute', groupBy: [], byBucket: true }),
      ).toEqual([]);
      expect(
        (await ctx.storage().telemetry.rollups(t, { ...query, groupBy: [] }))[0]?.measures.cost_micro,
      ).toBe(23);
    });

    it('adds tool use up per tool, counting distinct users, filtered by team', async () => {
      const t = await tenant();
      const use = (user: string, team: string, tool: string, measures: Record<string, number>) => ({
        at: at(1),
        business_unit: 'bu-eng',
        team,
        user,
        tool,
        measures,
      });
      await ctx
        .storage()
        .telemetry.ingest(
          t,
          [],
          [],
          toolRollupIncrements([use('ada', 'a', 'Bash', { decisions: 1, rejects: 1 })]),
        );
      await ctx
        .storage()
        .telemetry.ingest(
          t,
          [],
          [],
          toolRollupIncrements([
            use('ada', 'a', 'Bash', { results: 1, failures: 1, tool_ms: 40 }),
            use('bob', 'b', 'Bash', { decisions: 1 }),
            use('bob', 'b', 'Read', { decisions: 3 }),
          ]),
        );
      const window = { since: at(-86_400_000), until: at(86_400_000) };
      const rows = (await ctx.storage().telemetry.toolUse(t, window)).sort((x, y) =>
        x.tool.localeCompare(y.tool),
      );
      expect(rows).toEqual([
        { tool: 'Bash', users: 2, decisions: 2, rejects: 1, results: 1, failures: 1, tool_ms: 40 },
        { tool: 'Read', users: 1, decisions: 3, rejects: 0, results: 0, failures: 0, tool_ms: 0 },
      ]);
      expect(await ctx.storage().telemetry.toolUse(t, { ...window, where: { team: ['a'] } })).toEqual([
        { tool: 'Bash', users: 1, decisions: 1, rejects: 1, results: 1, failures: 1, tool_ms: 40 },
      ]);
      expect(await ctx.storage().telemetry.toolUse(await tenant(), window)).toEqual([]);
    });

    it('rolls up gateway usage records once, and knows which sessions the gateway metered', async () => {
      const t = await tenant();
      const record = usageFixture(t, 'r1', {
        principal: { type: 'user', id: 'ada' },
        keyId: null,
        businessUnitId: 'bu-eng',
        teamId: 'team-a',
        sessionId: 'gw-session',
        tokens: { input: 10, output: 20, cacheWrite5m: 1, cacheWrite1h: 2, cacheRead: 3 },
        costMicro: 99,
        // Fractional, as the gateway measures it: the integer rollup columns must still take it.
        latencyMs: 5.4,
      });
      // Twice in one batch, then in two more.
      await ctx.storage().usage.insert([record, record]);
      await ctx.storage().usage.insert([record]);
      await ctx.storage().usage.insert([record]);
      const [total] = await ctx.storage().telemetry.rollups(t, {
        granularity: 'hour',
        since: at(-3_600_000),
        until: at(3_600_000),
        groupBy: [],
      });
      expect(total?.measures).toMatchObject({
        requests: 1,
        request_ms: 5,
        cost_micro: 99,
        input_tokens: 10,
        output_tokens: 20,
        cache_creation_tokens: 3,
        cache_read_tokens: 3,
      });
      // And under its own dimensions, each from its own column.
      const [grouped] = await ctx.storage().telemetry.rollups(t, {
        granularity: 'hour',
        since: at(-3_600_000),
        until: at(3_600_000),
        groupBy: ['business_unit', 'team', 'user', 'model'],
      });
      expect(grouped?.key).toEqual({
        business_unit: 'bu-eng',
        team: 'team-a',
        user: 'ada',
        model: record.model,
      });
      expect(await ctx.storage().telemetry.gatewaySessions(t, ['gw-session', 'other'])).toEqual(
        new Set(['gw-session']),
      );
      expect(await ctx.storage().telemetry.gatewaySessions(uid('tel'), ['gw-session'])).toEqual(new Set());
    });
  });
}
