// MachineStore over Kysely, shared by SQLite and PostgreSQL: upserts keep one row per document served
// and per session, however often they are seen.
import type { Kysely } from 'kysely';
import type { MachineStore, SessionReport, SessionStanding, SettingsServed } from '../machine-port.ts';
import { standingsOf } from '../machine-standings.ts';
import type { TenantId } from '../ports.ts';
import { toDate, toMillis } from './kysely-row-mappers.ts';
import type { StorageDatabase } from './kysely-schema.ts';

/** Rows per statement, well under both dialects' bind-parameter limits. */
const CHUNK = 200;

export class KyselyMachineStore implements MachineStore {
  constructor(private readonly db: Kysely<StorageDatabase>) {}

  async recordServed(served: readonly SettingsServed[]): Promise<void> {
    // One row per key per statement: an upsert may not touch the same row twice.
    const unique = [
      ...new Map(served.map((s) => [`${s.tenantId}\u0000${s.userId}\u0000${s.checksum}`, s])).values(),
    ];
    for (let i = 0; i < unique.length; i += CHUNK) {
      await this.db
        .insertInto('settings_served')
        .values(
          unique.slice(i, i + CHUNK).map((s) => ({
            tenant_id: s.tenantId,
            user_id: s.userId,
            checksum: s.checksum,
            first_served: toMillis(s.at),
            last_served: toMillis(s.at),
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'user_id', 'checksum'])
            .doUpdateSet((eb) => ({ last_served: eb.ref('excluded.last_served') })),
        )
        .execute();
    }
  }

  async recordReports(reports: readonly SessionReport[]): Promise<void> {
    // One row per session per statement (an upsert may not touch a row twice): its latest report, and
    // the earliest time this batch saw it, in case the row is new.
    const bySession = new Map<string, { latest: SessionReport; first: Date }>();
    for (const r of reports) {
      const key = `${r.tenantId}\u0000${r.sessionId}`;
      const known = bySession.get(key);
      if (!known) bySession.set(key, { latest: r, first: r.at });
      else {
        if (known.latest.at <= r.at) known.latest = r;
        if (r.at < known.first) known.first = r.at;
      }
    }
    const unique = [...bySession.values()];
    for (let i = 0; i < unique.length; i += CHUNK) {
      await this.db
        .insertInto('session_reports')
        .values(
          unique.slice(i, i + CHUNK).map(({ latest: r, first }) => ({
            tenant_id: r.tenantId,
            session_id: r.sessionId,
            principal_id: r.principalId,
            checksum: r.checksum,
            user_agent: r.userAgent,
            first_seen: toMillis(first),
            last_seen: toMillis(r.at),
          })),
        )
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'session_id']).doUpdateSet((eb) => ({
            principal_id: eb.ref('excluded.principal_id'),
            checksum: eb.ref('excluded.checksum'),
            user_agent: eb.ref('excluded.user_agent'),
            last_seen: eb.ref('excluded.last_seen'),
          })),
        )
        .execute();
    }
  }

  async sessions(tenantId: TenantId, since: Date): Promise<SessionStanding[]> {
    const reports = await this.db
      .selectFrom('session_reports')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('last_seen', '>=', toMillis(since))
      .execute();
    const principals = [...new Set(reports.map((r) => r.principal_id))];
    const served =
      principals.length === 0
        ? []
        : await this.db
            .selectFrom('settings_served')
            .select(['user_id', 'checksum', 'last_served'])
            .where('tenant_id', '=', tenantId)
            .where('user_id', 'in', principals)
            .execute();
    return standingsOf(
      reports.map((r) => ({
        sessionId: r.session_id,
        principalId: r.principal_id,
        checksum: r.checksum,
        userAgent: r.user_agent,
        firstSeen: toDate(r.first_seen),
        lastSeen: toDate(r.last_seen),
      })),
      served.map((s) => ({ userId: s.user_id, checksum: s.checksum, lastServed: toDate(s.last_served) })),
    );
  }
}
