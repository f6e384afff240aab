// The SQLite audit append as prepared better-sqlite3 statements, for the writer thread's hot path: the
// same transaction as KyselyAuditStore.append (lock, read the head, chain, insert, move the head) without
// building and compiling each query again; the storage contract runs against both.

import type Database from 'better-sqlite3';
import {
  type AuditChainPoint,
  chainEntriesForStorage,
  GENESIS_HASH,
} from '../../core/audit-chain/audit-record.ts';
import { sha256Hex } from '../audit-sha256.ts';
import type { AuditEntry, AuditRecord, TenantId } from '../ports.ts';

export type SqliteAuditAppend = (tenantId: TenantId, entries: readonly AuditEntry[]) => AuditRecord[];

export function prepareSqliteAuditAppend(database: Database.Database): SqliteAuditAppend {
  const selectHead = database.prepare<[string], AuditChainPoint>(
    'select seq, hash from audit_heads where tenant_id = ?',
  );
  const createHead = database.prepare(
    'insert into audit_heads (tenant_id, seq, hash) values (?, 0, ?) on conflict (tenant_id) do nothing',
  );
  const insertRecord = database.prepare(
    'insert into audit_records (tenant_id, seq, timestamp, event, user_id, agent, session_id, bundle_revision,' +
      ' context, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const moveHead = database.prepare('update audit_heads set seq = ?, hash = ? where tenant_id = ?');

  const append = database.transaction((tenantId: TenantId, entries: readonly AuditEntry[]) => {
    let head = selectHead.get(tenantId);
    if (!head) {
      createHead.run(tenantId, GENESIS_HASH);
      head = selectHead.get(tenantId)!;
    }
    const chained = chainEntriesForStorage(
      tenantId,
      { seq: Number(head.seq), hash: head.hash },
      entries,
      sha256Hex,
    );
    for (const { record, contextJson } of chained) {
      insertRecord.run(
        record.tenantId,
        record.seq,
        record.timestamp.getTime(),
        record.event,
        record.user,
        record.agent,
        record.sessionId,
        record.bundleRevision,
        contextJson,
        record.prevHash,
        record.hash,
      );
    }
    const last = chained.at(-1)!.record;
    moveHead.run(last.seq, last.hash, tenantId);
    return chained.map((c) => c.record);
  });
  // IMMEDIATE takes the write lock before reading the head, as every appender does (see sqlite-dialect.ts).
  return (tenantId, entries) => (entries.length === 0 ? [] : append.immediate(tenantId, entries));
}
