// TelemetryStore over Kysely (SQLite and PostgreSQL): events appended in chunks and the rollups they
// add upserted (each measure incremented), in one transaction per batch.
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import {
  DIMENSIONS,
  type Dimension,
  GRANULARITIES,
  type Granularity,
  MEASURES,
  type Measures,
  type RollupRow,
} from '../../core/analytics/rollup.ts';
import { TOOL_MEASURES, type ToolMeasure, type ToolRollupRow } from '../../core/analytics/tool-rollup.ts';
import type { TenantId } from '../ports.ts';
import { dayNumber, nextDay } from '../telemetry-day.ts';
import type {
  RollupGroup,
  RollupQuery,
  StoredTelemetryEvent,
  TelemetryStore,
  ToolUseRow,
} from '../telemetry-port.ts';
import { toDate, toMillis } from './kysely-row-mappers.ts';
import type { StorageDatabase, TelemetryEventsTable } from './kysely-schema.ts';

const EVENT_CHUNK = 200;
const ROLLUP_CHUNK = 100;

export class KyselyTelemetryStore implements TelemetryStore {
  /** Day partitions this instance knows exist (PostgreSQL); another instance may have made more. */
  readonly #partitions = new Set<number>();

  constructor(
    private readonly db: Kysely<StorageDatabase>,
    private readonly options: { partitionedByDay: boolean } = { partitionedByDay: false },
  ) {}

  /**
   * PostgreSQL: the partition of each day about to be written, made when first needed (outside the
   * batch's transaction, so its short lock on the parent is not held across the insert). Instances racing
   * to make the same one all succeed.
   */
  private async ensurePartitions(events: readonly StoredTelemetryEvent[]): Promise<void> {
    if (!this.options.partitionedByDay) return;
    for (const day of new Set(events.map((e) => dayNumber(e.at)))) {
      if (this.#partitions.has(day)) continue;
      try {
        await sql`create table if not exists ${sql.id(`telemetry_events_${day}`)} partition of telemetry_events for values from (${sql.lit(day)}) to (${sql.lit(nextDay(day))})`.execute(
          this.db,
        );
      } catch (error) {
        // A concurrent CREATE of the same partition loses the race on the catalog: it exists now.
        const code = (error as { code?: string }).code;
        if (code !== '42P07' && code !== '23505') throw error;
      }
      this.#partitions.add(day);
    }
  }

  async ingest(
    tenantId: TenantId,
    events: readonly StoredTelemetryEvent[],
    rollups: readonly RollupRow[],
    tools: readonly ToolRollupRow[] = [],
  ): Promise<void> {
    if (events.length === 0 && rollups.length === 0 && tools.length === 0) return;
    await this.ensurePartitions(events);
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < events.length; i += EVENT_CHUNK) {
        await trx
          .insertInto('telemetry_events')
          .values(events.slice(i, i + EVENT_CHUNK).map((e) => eventRow(tenantId, e)))
          .execute();
      }
      await addRollups(trx, tenantId, rollups);
      for (let i = 0; i < tools.length; i += ROLLUP_CHUNK) {
        await trx
          .insertInto('tool_rollups_day')
          .values(tools.slice(i, i + ROLLUP_CHUNK).map((r) => ({ tenant_id: tenantId, ...r })))
          .onConflict((oc) =>
            oc
              .columns(['tenant_id', 'bucket', 'business_unit', 'team', 'user', 'tool'])
              .doUpdateSet(
                Object.fromEntries(
                  TOOL_MEASURES.map((m) => [
                    m,
                    sql`${sql.ref(`tool_rollups_day.${m}`)} + ${sql.ref(`excluded.${m}`)}`,
                  ]),
                ),
              ),
          )
          .execute();
      }
    });
  }

  async toolUse(
    tenantId: TenantId,
    query: { since: Date; until: Date; where?: Partial<Record<Dimension, readonly string[]>> },
  ): Promise<ToolUseRow[]> {
    let q = this.db
      .selectFrom('tool_rollups_day')
      .where('tenant_id', '=', tenantId)
      .where('bucket', '>=', toMillis(query.since))
      .where('bucket', '<', toMillis(query.until));
    for (const dimension of ['business_unit', 'team', 'user'] as const) {
      const values = query.where?.[dimension];
      if (values) q = q.where(dimension, 'in', values.length > 0 ? [...values] : ['\u0000none']);
    }
    const rows = await q
      .select('tool')
      .select((eb) => TOOL_MEASURES.map((m) => eb.fn.sum<number | string>(m).as(m)))
      .select((eb) => eb.fn.count<number | string>('user').distinct().as('users'))
      .groupBy('tool')
      .execute();
    return rows.map((row) => {
      const record = row as Record<string, unknown>;
      return {
        tool: String(record.tool),
        users: Number(record.users),
        ...(Object.fromEntries(TOOL_MEASURES.map((m) => [m, Number(record[m] ?? 0)])) as Record<
          ToolMeasure,
          number
        >),
      };
    });
  }

  async gatewaySessions(tenantId: TenantId, sessionIds: readonly string[]): Promise<Set<string>> {
    if (sessionIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('usage_records')
      .select('session_id')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('session_id', 'in', [...new Set(sessionIds)])
      .execute();
    return new Set(rows.map((r) => r.session_id!).filter(Boolean));
  }

  async events(
    tenantId: TenantId,
    query: { since: Date; until: Date; name?: string; limit?: number },
  ): Promise<StoredTelemetryEvent[]> {
    const rows = await this.db
      .selectFrom('telemetry_events')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('day', '>=', dayNumber(query.since))
      .where('day', '<=', dayNumber(query.until))
      .where('at', '>=', toMillis(query.since))
      .where('at', '<', toMillis(query.until))
      .$if(query.name !== undefined, (q) => q.where('name', '=', query.name!))
      .orderBy('at')
      .orderBy('seq')
      .$if(query.limit !== undefined, (q) => q.limit(query.limit!))
      .execute();
    return rows.map(eventFromRow);
  }

  async eventDays(tenantId: TenantId, before: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('telemetry_events')
      .select('day')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('day', '<', before)
      .orderBy('day')
      .execute();
    return rows.map((r) => Number(r.day));
  }

  async dayEvents(
    tenantId: TenantId,
    day: number,
    page: { afterSeq?: number; limit: number },
  ): Promise<{ seq: number; event: StoredTelemetryEvent }[]> {
    const rows = await this.db
      .selectFrom('telemetry_events')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('day', '=', day)
      .$if(page.afterSeq !== undefined, (q) => q.where('seq', '>', page.afterSeq!))
      .orderBy('seq')
      .limit(page.limit)
      .execute();
    return rows.map((row) => ({ seq: Number(row.seq), event: eventFromRow(row) }));
  }

  async dropDay(tenantId: TenantId, day: number, upToSeq: number): Promise<number> {
    const result = await this.db
      .deleteFrom('telemetry_events')
      .where('tenant_id', '=', tenantId)
      .where('day', '=', day)
      .where('seq', '<=', upToSeq)
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0n);
  }

  async pruneRollups(tenantId: TenantId, granularity: Granularity, before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom(ROLLUP_TABLE[granularity])
      .where('tenant_id', '=', tenantId)
      .where('bucket', '<', toMillis(before))
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0n);
  }

  async activeUsers(tenantId: TenantId, query: Omit<RollupQuery, 'groupBy' | 'byBucket'>): Promise<number> {
    // GROUP BY then count, not COUNT(DISTINCT): PostgreSQL sorts for the latter and can hash the former.
    const row = await this.db
      .selectFrom(this.matching(tenantId, query).select('user').groupBy('user').as('active'))
      .select((eb) => eb.fn.countAll<number | string>().as('users'))
      .executeTakeFirst();
    return Number(row?.users ?? 0);
  }

  private matching(tenantId: TenantId, query: Omit<RollupQuery, 'groupBy' | 'byBucket'>) {
    let q = this.db
      .selectFrom(ROLLUP_TABLE[query.granularity])
      .where('tenant_id', '=', tenantId)
      .where('bucket', '>=', toMillis(query.since))
      .where('bucket', '<', toMillis(query.until));
    for (const dimension of DIMENSIONS) {
      const values = query.where?.[dimension];
      if (values) q = q.where(dimension, 'in', values.length > 0 ? [...values] : ['\u0000none']);
    }
    return q;
  }

  async rollups(tenantId: TenantId, query: RollupQuery): Promise<RollupGroup[]> {
    const q = this.matching(tenantId, query);
    const groups = [...query.groupBy, ...(query.byBucket ? (['bucket'] as const) : [])];
    const rows = await q
      .select(groups)
      .select((eb) => MEASURES.map((m) => eb.fn.sum<number | string>(m).as(m)))
      .$if(groups.length > 0, (qb) => qb.groupBy(groups))
      .execute();
    return rows.map((row) => {
      const record = row as Record<string, unknown>;
      const key: RollupGroup['key'] = {};
      for (const d of query.groupBy) key[d] = String(record[d] ?? '');
      if (query.byBucket) key.bucket = Number(record.bucket);
      const measures = Object.fromEntries(MEASURES.map((m) => [m, Number(record[m] ?? 0)])) as Measures;
      return { key, measures };
    });
  }
}

export const ROLLUP_TABLE = {
  minute: 'usage_rollups_minute',
  hour: 'usage_rollups_hour',
  day: 'usage_rollups_day',
} as const satisfies Record<Granularity, keyof StorageDatabase>;

/** Adds each row's measures to the stored rollup of the same key (inserting it when new). */
export async function addRollups(
  trx: Transaction<StorageDatabase> | Kysely<StorageDatabase>,
  tenantId: TenantId,
  rollups: readonly RollupRow[],
): Promise<void> {
  for (const granularity of GRANULARITIES) {
    const rows = rollups.filter((r) => r.granularity === granularity);
    for (let i = 0; i < rows.length; i += ROLLUP_CHUNK) {
      await trx
        .insertInto(ROLLUP_TABLE[granularity])
        .values(
          rows.slice(i, i + ROLLUP_CHUNK).map(({ granularity: _, ...r }) => ({ tenant_id: tenantId, ...r })),
        )
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'bucket', 'business_unit', 'team', 'user', 'agent', 'model'])
            .doUpdateSet(
              Object.fromEntries(
                MEASURES.map((m) => [
                  m,
                  sql`${sql.ref(`${ROLLUP_TABLE[granularity]}.${m}`)} + ${sql.ref(`excluded.${m}`)}`,
                ]),
              ),
            ),
        )
        .execute();
    }
  }
}

function eventRow(tenantId: TenantId, e: StoredTelemetryEvent) {
  return {
    tenant_id: tenantId,
    day: dayNumber(e.at),
    at: toMillis(e.at),
    name: e.name,
    user_id: e.userId,
    business_unit_id: e.businessUnitId,
    team_id: e.teamId,
    session_id: e.sessionId,
    prompt_id: e.promptId,
    model: e.model,
    tool: e.tool,
    decision: e.decision,
    success: e.success === null ? null : e.success ? 1 : 0,
    input_tokens: e.inputTokens,
    output_tokens: e.outputTokens,
    cache_read_tokens: e.cacheReadTokens,
    cache_creation_tokens: e.cacheCreationTokens,
    cost_micro: e.costMicro,
    duration_ms: e.durationMs,
    value: e.value,
    gateway_metered: e.gatewayMetered ? 1 : 0,
    attributes: JSON.stringify(e.attributes),
  };
}

function eventFromRow(row: Selectable<TelemetryEventsTable>): StoredTelemetryEvent {
  const r = row as unknown as Record<string, unknown>;
  const attributes = typeof r.attributes === 'string' ? JSON.parse(r.attributes) : r.attributes;
  return {
    at: toDate(r.at as number),
    name: String(r.name),
    userId: String(r.user_id),
    businessUnitId: (r.business_unit_id as string | null) ?? null,
    teamId: (r.team_id as string | null) ?? null,
    sessionId: (r.session_id as string | null) ?? null,
    promptId: (r.prompt_id as string | null) ?? null,
    model: (r.model as string | null) ?? null,
    tool: (r.tool as string | null) ?? null,
    decision: (r.decision as string | null) ?? null,
    success: r.success === null || r.success === undefined ? null : Number(r.success) === 1,
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    cacheReadTokens: Number(r.cache_read_tokens),
    cacheCreationTokens: Number(r.cache_creation_tokens),
    costMicro: Number(r.cost_micro),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    value: r.value === null ? null : Number(r.value),
    gatewayMetered: Number(r.gateway_metered) === 1,
    attributes: attributes as StoredTelemetryEvent['attributes'],
  };
}
