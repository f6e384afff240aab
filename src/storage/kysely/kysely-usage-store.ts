// UsageStore over Kysely, shared by SQLite and PostgreSQL.
import type { Kysely, Selectable } from 'kysely';
import { usageRollupsByTenant } from '../../core/analytics/usage-contribution.ts';
import type { PrincipalRef, TenantId } from '../ports.ts';
import type { UsageOutcome, UsageQuery, UsageRecord, UsageStore } from '../usage-port.ts';
import { usageRow } from '../usage-row.ts';
import { toDate, toMillis } from './kysely-row-mappers.ts';
import type { StorageDatabase, UsageRecordsTable } from './kysely-schema.ts';
import { addRollups } from './kysely-telemetry-store.ts';

/** Rows per INSERT: 26 columns each stays below SQLite's and PostgreSQL's bind-parameter limits. */
const INSERT_CHUNK = 300;

export class KyselyUsageStore implements UsageStore {
  readonly #db: Kysely<StorageDatabase>;

  constructor(db: Kysely<StorageDatabase>) {
    this.#db = db;
  }

  async insert(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map(usageRow);
    await this.#db.transaction().execute(async (trx) => {
      const fresh = new Set<string>();
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const inserted = await trx
          .insertInto('usage_records')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .onConflict((oc) => oc.columns(['tenant_id', 'request_id']).doNothing())
          .returning(['tenant_id', 'request_id'])
          .execute();
        for (const row of inserted) fresh.add(`${row.tenant_id}\u0000${row.request_id}`);
      }
      // Each record reaches the rollups once, with the insert that stored it: a request twice in one
      // batch was stored once, so only its first row counts.
      const stored = rows.filter((r) => fresh.delete(`${r.tenant_id}\u0000${r.request_id}`));
      for (const [tenantId, rows] of usageRollupsByTenant(stored)) await addRollups(trx, tenantId, rows);
    });
  }

  async list(tenantId: TenantId, query: UsageQuery = {}): Promise<UsageRecord[]> {
    const { since, until, sessionId, limit } = query;
    const rows = await this.#db
      .selectFrom('usage_records')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .$if(since !== undefined, (q) => q.where('at', '>=', toMillis(since!)))
      .$if(until !== undefined, (q) => q.where('at', '<', toMillis(until!)))
      .$if(sessionId !== undefined, (q) => q.where('session_id', '=', sessionId!))
      .orderBy('at')
      .orderBy('request_id')
      .$if(limit !== undefined, (q) => q.limit(limit!))
      .execute();
    return rows.map(fromRow);
  }

  async spend(
    tenantId: TenantId,
    query: { since: Date; until?: Date; principal?: PrincipalRef },
  ): Promise<number> {
    const { since, until, principal } = query;
    const row = await this.#db
      .selectFrom('usage_records')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('cost_micro'), eb.lit(0)).as('total'))
      .where('tenant_id', '=', tenantId)
      .where('at', '>=', toMillis(since))
      .$if(until !== undefined, (q) => q.where('at', '<', toMillis(until!)))
      .$if(principal !== undefined, (q) =>
        q.where('principal_type', '=', principal!.type).where('principal_id', '=', principal!.id),
      )
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }
}

function fromRow(row: Selectable<UsageRecordsTable>): UsageRecord {
  return {
    tenantId: row.tenant_id,
    requestId: row.request_id,
    at: toDate(row.at),
    principal: { type: row.principal_type as UsageRecord['principal']['type'], id: row.principal_id },
    keyId: row.key_id,
    businessUnitId: row.business_unit_id,
    teamId: row.team_id,
    sessionId: row.session_id,
    agentId: row.agent_id,
    model: row.model,
    upstream: row.upstream,
    status: row.status,
    outcome: row.outcome as UsageOutcome,
    stream: Number(row.stream) === 1,
    tokens: {
      input: Number(row.input_tokens),
      output: Number(row.output_tokens),
      cacheWrite5m: Number(row.cache_write_5m_tokens),
      cacheWrite1h: Number(row.cache_write_1h_tokens),
      cacheRead: Number(row.cache_read_tokens),
    },
    costMicro: Number(row.cost_micro),
    pricedAs: row.priced_as,
    priceVersion: row.price_version,
    latencyMs: row.latency_ms,
    ttfbMs: row.ttfb_ms,
  };
}
