// Messages between the main thread and the SQLite audit writer thread. The reply carries only what the
// thread added to the entries (seq and hashes): cloning whole records back would cost the main thread more.

import type { AuditEntry, AuditRecord, TenantId } from '../ports.ts';

/** The stores whose writes the thread makes, and the methods it makes them with. */
export const THREAD_WRITES = {
  budgets: ['reserve', 'settle', 'reserveMany', 'settleMany', 'drawDownMany', 'markThreshold'],
  /** Usage records as their rows' values (packUsageRecords in usage-row.ts), which cost less to clone to the thread. */
  usage: ['insertRows'],
  machines: ['recordServed', 'recordReports'],
} as const;
export type ThreadStore = keyof typeof THREAD_WRITES;

export type WriterRequest =
  | { kind: 'append'; id: number; tenantId: TenantId; entries: readonly AuditEntry[] }
  | { kind: 'call'; id: number; store: ThreadStore; method: string; args: unknown[] }
  | { kind: 'close' };

export type WriterReply =
  | { id: number; firstSeq: number; prevHash: string; hashes: string[] }
  | { id: number; value: unknown }
  | { id: number; error: { message: string; code?: string; status?: number } };

export type ChainedReply = Extract<WriterReply, { hashes: string[] }>;

export function toChainedReply(id: number, records: readonly AuditRecord[]): ChainedReply {
  return {
    id,
    firstSeq: records[0]?.seq ?? 0,
    prevHash: records[0]?.prevHash ?? '',
    hashes: records.map((r) => r.hash),
  };
}

/** The records the thread stored, rebuilt from the entries sent and the chain positions it answered. */
export function recordsFromReply(
  tenantId: TenantId,
  entries: readonly AuditEntry[],
  reply: ChainedReply,
): AuditRecord[] {
  return entries.map((entry, i) => ({
    tenantId,
    seq: reply.firstSeq + i,
    timestamp: entry.timestamp,
    event: entry.event,
    user: entry.user,
    agent: entry.agent,
    sessionId: entry.sessionId,
    bundleRevision: entry.bundleRevision,
    context: entry.context,
    prevHash: i === 0 ? reply.prevHash : reply.hashes[i - 1]!,
    hash: reply.hashes[i]!,
  }));
}
