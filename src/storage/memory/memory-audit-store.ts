// In-memory AuditStore for unit tests: the same chaining, listing and retention as the SQL adapters.

import { chainEntries, GENESIS } from '../../core/audit-chain/audit-record.ts';
import { assertAuditQuery } from '../audit-query.ts';
import { sha256Hex } from '../audit-sha256.ts';
import type {
  AuditChainPoint,
  AuditCheckpoint,
  AuditEntry,
  AuditQuery,
  AuditRecord,
  AuditStore,
  TenantId,
} from '../ports.ts';

interface Chain {
  head: AuditChainPoint;
  records: AuditRecord[];
  checkpoints: AuditCheckpoint[];
}

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryAuditStore implements AuditStore {
  readonly #chains = new Map<TenantId, Chain>();

  async append(tenantId: TenantId, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return [];
    const chain = this.#chains.get(tenantId) ?? { head: GENESIS, records: [], checkpoints: [] };
    // Chained (and validated) before anything is stored: all or nothing.
    const records = chainEntries(tenantId, chain.head, entries, sha256Hex);
    chain.records.push(...records.map(copy));
    const last = records.at(-1)!;
    chain.head = { seq: last.seq, hash: last.hash };
    this.#chains.set(tenantId, chain);
    return records;
  }

  async list(tenantId: TenantId, query: AuditQuery = {}): Promise<AuditRecord[]> {
    assertAuditQuery(query);
    const { since, until, afterSeq, event, limit } = query;
    const matching = (this.#chains.get(tenantId)?.records ?? []).filter(
      (r) =>
        (since === undefined || r.timestamp >= since) &&
        (until === undefined || r.timestamp < until) &&
        (afterSeq === undefined || r.seq > afterSeq) &&
        (event === undefined || r.event === event),
    );
    return (limit === undefined ? matching : matching.slice(0, limit)).map(copy);
  }

  async head(tenantId: TenantId): Promise<AuditChainPoint | undefined> {
    const chain = this.#chains.get(tenantId);
    return chain && { ...chain.head };
  }

  async checkpoints(tenantId: TenantId): Promise<AuditCheckpoint[]> {
    return (this.#chains.get(tenantId)?.checkpoints ?? []).map(copy);
  }

  async deleteBefore(tenantId: TenantId, before: Date, at = new Date()): Promise<number> {
    const chain = this.#chains.get(tenantId);
    if (!chain) return 0;
    const keep = chain.records.findIndex((r) => r.timestamp >= before);
    const removed = keep === -1 ? chain.records.length : keep;
    if (removed === 0) return 0;
    const last = chain.records[removed - 1]!;
    chain.records.splice(0, removed);
    chain.checkpoints.push({ tenantId, seq: last.seq, hash: last.hash, createdAt: new Date(at), removed });
    return removed;
  }

  async tenants(): Promise<TenantId[]> {
    return [...this.#chains.keys()].sort();
  }
}
