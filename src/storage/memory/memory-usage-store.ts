// In-memory UsageStore for unit tests, with the SQL adapters' semantics.
import type { PrincipalRef, TenantId } from '../ports.ts';
import type { UsageQuery, UsageRecord, UsageStore } from '../usage-port.ts';

export class MemoryUsageStore implements UsageStore {
  readonly #records = new Map<string, UsageRecord>();

  /** Told of each record stored for the first time (the rollups count it once). */
  onInserted: ((records: UsageRecord[]) => void) | undefined;

  async insert(records: readonly UsageRecord[]): Promise<void> {
    const fresh: UsageRecord[] = [];
    for (const record of records) {
      const key = `${record.tenantId}\u0000${record.requestId}`;
      if (this.#records.has(key)) continue;
      this.#records.set(key, structuredClone(record));
      fresh.push(record);
    }
    if (fresh.length > 0) this.onInserted?.(fresh);
  }

  async list(tenantId: TenantId, query: UsageQuery = {}): Promise<UsageRecord[]> {
    const { since, until, sessionId, limit } = query;
    const rows = [...this.#records.values()]
      .filter(
        (r) =>
          r.tenantId === tenantId &&
          (since === undefined || r.at >= since) &&
          (until === undefined || r.at < until) &&
          (sessionId === undefined || r.sessionId === sessionId),
      )
      .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.requestId < b.requestId ? -1 : 1))
      .map((r) => structuredClone(r));
    return limit === undefined ? rows : rows.slice(0, limit);
  }

  async spend(
    tenantId: TenantId,
    query: { since: Date; until?: Date; principal?: PrincipalRef },
  ): Promise<number> {
    const { since, until, principal } = query;
    let total = 0;
    for (const r of this.#records.values()) {
      if (r.tenantId !== tenantId || r.at < since || (until !== undefined && r.at >= until)) continue;
      if (principal && (r.principal.type !== principal.type || r.principal.id !== principal.id)) continue;
      total += r.costMicro;
    }
    return total;
  }
}
