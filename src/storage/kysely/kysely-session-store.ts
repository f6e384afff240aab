// SessionStore over Kysely, shared by SQLite and PostgreSQL; counters are single atomic upserts.
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { PrincipalRef, PrincipalType, TenantId } from '../ports.ts';
import type { SessionProject, SessionRecord, SessionStart, SessionStore } from '../session-port.ts';
import { toDate, toMillis } from './kysely-row-mappers.ts';
import type { SessionsTable, StorageDatabase } from './kysely-schema.ts';

export class KyselySessionStore implements SessionStore {
  readonly #db: Kysely<StorageDatabase>;
  /**
   * `get` runs on every tool call, and building and compiling a Kysely query costs more than running it, so
   * it is compiled once; each call binds its own parameters (tenant, id: the order of the where clauses).
   */
  readonly #getQuery: CompiledQuery<Selectable<SessionsTable>>;

  constructor(db: Kysely<StorageDatabase>) {
    this.#db = db;
    this.#getQuery = db
      .selectFrom('sessions')
      .selectAll()
      .where('tenant_id', '=', '')
      .where('id', '=', '')
      .compile();
  }

  async start(tenantId: TenantId, s: SessionStart): Promise<{ created: boolean; startedToday: number }> {
    return this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('sessions')
        .values({
          tenant_id: tenantId,
          id: s.id,
          principal_type: s.principal.type,
          principal_id: s.principal.id,
          agent: s.agent,
          cwd: s.cwd,
          started_at: toMillis(s.at),
          ended_at: null,
          tool_calls: 0,
          last_seen_at: toMillis(s.at),
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
        .executeTakeFirst();
      if (s.project) {
        await trx
          .updateTable('sessions')
          .set({ project: JSON.stringify(s.project) })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', s.id)
          .execute();
      }
      const { count } = await trx
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('tenant_id', '=', tenantId)
        .where('principal_type', '=', s.principal.type)
        .where('principal_id', '=', s.principal.id)
        .where('started_at', '>=', toMillis(s.dayStart))
        .executeTakeFirstOrThrow();
      return { created: (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n, startedToday: Number(count) };
    });
  }

  async addToolCall(tenantId: TenantId, id: string, principal: PrincipalRef, at: Date): Promise<number> {
    const row = await this.#db
      .insertInto('sessions')
      .values({
        tenant_id: tenantId,
        id,
        principal_type: principal.type,
        principal_id: principal.id,
        agent: null,
        cwd: null,
        started_at: toMillis(at),
        ended_at: null,
        tool_calls: 1,
        last_seen_at: toMillis(at),
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
          tool_calls: eb('sessions.tool_calls', '+', 1),
          last_seen_at: eb.ref('excluded.last_seen_at'),
        })),
      )
      .returning('tool_calls')
      .executeTakeFirstOrThrow();
    return Number(row.tool_calls);
  }

  async get(tenantId: TenantId, id: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.#db.executeQuery<Selectable<SessionsTable>>({
      ...this.#getQuery,
      parameters: [tenantId, id],
    });
    const row = rows[0];
    return row ? sessionFromRow(row) : undefined;
  }

  async end(tenantId: TenantId, id: string, at: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable('sessions')
      .set({ ended_at: toMillis(at), last_seen_at: toMillis(at) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return (result.numUpdatedRows ?? 0n) > 0n;
  }
}

function sessionFromRow(row: Selectable<SessionsTable>): SessionRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    principal: { type: row.principal_type as PrincipalType, id: row.principal_id },
    agent: row.agent,
    cwd: row.cwd,
    startedAt: toDate(row.started_at),
    endedAt: row.ended_at === null ? null : toDate(row.ended_at),
    toolCalls: Number(row.tool_calls),
    lastSeenAt: toDate(row.last_seen_at),
    project: row.project ? (JSON.parse(row.project) as SessionProject) : null,
  };
}
