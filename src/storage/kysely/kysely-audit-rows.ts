// Converts audit rows of either SQL dialect to records and back; BIGINT columns arrive as strings from PostgreSQL.

import type { Selectable } from 'kysely';
import type { AuditEvent } from '../../core/audit-chain/audit-record.ts';
import { canonicalJson } from '../../core/bundles/canonical-json.ts';
import type { AuditCheckpoint, AuditRecord } from '../ports.ts';
import { toDate, toMillis } from './kysely-row-mappers.ts';
import type { AuditCheckpointsTable, AuditRecordsTable } from './kysely-schema.ts';

export const auditRecordFromRow = (row: Selectable<AuditRecordsTable>): AuditRecord => ({
  tenantId: row.tenant_id,
  seq: Number(row.seq),
  timestamp: toDate(row.timestamp),
  // Stored as written; a tampered value is still returned as is, for verification to catch.
  event: row.event as AuditEvent,
  user: row.user_id,
  agent: row.agent,
  sessionId: row.session_id,
  bundleRevision: row.bundle_revision,
  context: JSON.parse(row.context),
  prevHash: row.prev_hash,
  hash: row.hash,
});

/** `contextJson`: the context's canonical JSON, when the caller has it already. */
export const auditRecordToRow = (record: AuditRecord, contextJson = canonicalJson(record.context)) => ({
  tenant_id: record.tenantId,
  seq: record.seq,
  timestamp: toMillis(record.timestamp),
  event: record.event,
  user_id: record.user,
  agent: record.agent,
  session_id: record.sessionId,
  bundle_revision: record.bundleRevision,
  context: contextJson,
  prev_hash: record.prevHash,
  hash: record.hash,
});

export const auditCheckpointFromRow = (row: Selectable<AuditCheckpointsTable>): AuditCheckpoint => ({
  tenantId: row.tenant_id,
  seq: Number(row.seq),
  hash: row.hash,
  createdAt: toDate(row.created_at),
  removed: Number(row.removed),
});
