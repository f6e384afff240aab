// In-memory TelemetryStore for unit tests, with the SQL adapters' semantics.
import {
  DIMENSIONS,
  type Dimension,
  emptyMeasures,
  type Granularity,
  MEASURES,
  type RollupRow,
} from '../../core/analytics/rollup.ts';
import { TOOL_MEASURES, type ToolRollupRow } from '../../core/analytics/tool-rollup.ts';
import type { TenantId } from '../ports.ts';
import { dayNumber } from '../telemetry-day.ts';
import type {
  RollupGroup,
  RollupQuery,
  StoredTelemetryEvent,
  TelemetryStore,
  ToolUseRow,
} from '../telemetry-port.ts';
import type { UsageStore } from '../usage-port.ts';

export class MemoryTelemetryStore implements TelemetryStore {
  readonly #events = new Map<TenantId, { seq: number; event: StoredTelemetryEvent }[]>();
  #seq = 0;
  readonly #rollups = new Map<string, RollupRow & { tenantId: TenantId }>();
  readonly #tools = new Map<string, ToolRollupRow & { tenantId: TenantId }>();

  constructor(private readonly usage: UsageStore) {}

  async ingest(
    tenantId: TenantId,
    events: readonly StoredTelemetryEvent[],
    rollups: readonly RollupRow[],
    tools: readonly ToolRollupRow[] = [],
  ) {
    const list = this.#events.get(tenantId) ?? [];
    list.push(...events.map((e) => ({ seq: ++this.#seq, event: structuredClone(e) })));
    this.#events.set(tenantId, list);
    this.addRollups(tenantId, rollups);
    for (const row of tools) {
      const key = [tenantId, row.bucket, row.business_unit, row.team, row.user, row.tool].join('\u0000');
      const stored = this.#tools.get(key) ?? {
        ...row,
        decisions: 0,
        rejects: 0,
        results: 0,
        failures: 0,
        tool_ms: 0,
        tenantId,
      };
      for (const m of TOOL_MEASURES) stored[m] += row[m];
      this.#tools.set(key, stored);
    }
  }

  async toolUse(
    tenantId: TenantId,
    query: { since: Date; until: Date; where?: Partial<Record<Dimension, readonly string[]>> },
  ): Promise<ToolUseRow[]> {
    const byTool = new Map<string, ToolUseRow & { people: Set<string> }>();
    for (const row of this.#tools.values()) {
      if (
        row.tenantId !== tenantId ||
        row.bucket < query.since.getTime() ||
        row.bucket >= query.until.getTime()
      )
        continue;
      if (
        (['business_unit', 'team', 'user'] as const).some(
          (d) => query.where?.[d] && !query.where[d]!.includes(row[d]),
        )
      )
        continue;
      const entry = byTool.get(row.tool) ?? {
        tool: row.tool,
        users: 0,
        decisions: 0,
        rejects: 0,
        results: 0,
        failures: 0,
        tool_ms: 0,
        people: new Set(),
      };
      for (const m of TOOL_MEASURES) entry[m] += row[m];
      entry.people.add(row.user);
      byTool.set(row.tool, entry);
    }
    return [...byTool.values()].map(({ people, ...rest }) => ({ ...rest, users: people.size }));
  }

  /** What the usage store calls for each batch of newly inserted gateway records. */
  addRollups(tenantId: TenantId, rollups: readonly RollupRow[]): void {
    for (const row of rollups) {
      const key = [tenantId, row.granularity, row.bucket, ...DIMENSIONS.map((d) => row[d])].join('\u0000');
      const stored = this.#rollups.get(key) ?? { ...row, ...emptyMeasures(), tenantId };
      for (const m of MEASURES) stored[m] += row[m];
      this.#rollups.set(key, stored);
    }
  }

  async gatewaySessions(tenantId: TenantId, sessionIds: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(sessionIds);
    const found = new Set<string>();
    for (const r of await this.usage.list(tenantId))
      if (r.sessionId && wanted.has(r.sessionId)) found.add(r.sessionId);
    return found;
  }

  async events(tenantId: TenantId, query: { since: Date; until: Date; name?: string; limit?: number }) {
    const out = (this.#events.get(tenantId) ?? [])
      .map((stored) => stored.event)
      .filter(
        (e) =>
          e.at >= query.since && e.at < query.until && (query.name === undefined || e.name === query.name),
      )
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((e) => structuredClone(e));
    return query.limit === undefined ? out : out.slice(0, query.limit);
  }

  async eventDays(tenantId: TenantId, before: number): Promise<number[]> {
    const days = new Set((this.#events.get(tenantId) ?? []).map((s) => dayNumber(s.event.at)));
    return [...days].filter((d) => d < before).sort((a, b) => a - b);
  }

  async dayEvents(tenantId: TenantId, day: number, page: { afterSeq?: number; limit: number }) {
    return (this.#events.get(tenantId) ?? [])
      .filter((s) => dayNumber(s.event.at) === day && s.seq > (page.afterSeq ?? 0))
      .slice(0, page.limit)
      .map((s) => ({ seq: s.seq, event: structuredClone(s.event) }));
  }

  async dropDay(tenantId: TenantId, day: number, upToSeq: number): Promise<number> {
    const list = this.#events.get(tenantId) ?? [];
    const kept = list.filter((s) => dayNumber(s.event.at) !== day || s.seq > upToSeq);
    this.#events.set(tenantId, kept);
    return list.length - kept.length;
  }

  async pruneRollups(tenantId: TenantId, granularity: Granularity, before: Date): Promise<number> {
    let removed = 0;
    for (const [key, row] of this.#rollups) {
      if (row.tenantId === tenantId && row.granularity === granularity && row.bucket < before.getTime()) {
        this.#rollups.delete(key);
        removed++;
      }
    }
    return removed;
  }

  async activeUsers(tenantId: TenantId, query: Omit<RollupQuery, 'groupBy' | 'byBucket'>): Promise<number> {
    return (await this.rollups(tenantId, { ...query, groupBy: ['user'] })).filter((g) =>
      MEASURES.some((m) => g.measures[m] !== 0),
    ).length;
  }

  async rollups(tenantId: TenantId, query: RollupQuery): Promise<RollupGroup[]> {
    const groups = new Map<string, RollupGroup>();
    for (const row of this.#rollups.values()) {
      if (row.tenantId !== tenantId || row.granularity !== query.granularity) continue;
      if (row.bucket < query.since.getTime() || row.bucket >= query.until.getTime()) continue;
      if (DIMENSIONS.some((d) => query.where?.[d] !== undefined && !query.where[d]!.includes(row[d])))
        continue;
      const key: RollupGroup['key'] = {};
      for (const d of query.groupBy) key[d] = row[d];
      if (query.byBucket) key.bucket = row.bucket;
      const id = JSON.stringify(key);
      const group = groups.get(id) ?? { key, measures: emptyMeasures() };
      for (const m of MEASURES) group.measures[m] += row[m];
      groups.set(id, group);
    }
    if (groups.size === 0 && query.groupBy.length === 0 && !query.byBucket)
      return [{ key: {}, measures: emptyMeasures() }];
    return [...groups.values()];
  }
}
