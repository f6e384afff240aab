// The audit record format: what a caller records, what the chain stores, and the hash that links them.

import { canonicalJson, type JsonValue } from '../bundles/canonical-json.ts';
import { ValidationError } from '../errors/app-error.ts';

export const AUDIT_EVENTS = [
  'agent_activation',
  'tool_use',
  'file_access',
  'decision',
  'rule_modification',
  'config_change',
  'auth',
  'admin_action',
  'prompt_blocked',
  'prompt_submit',
  'session',
  'budget',
  'alert',
] as const;

export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export type AuditContext = { [key: string]: JsonValue };

/** What a caller records; the store assigns `tenantId`, `seq`, `prevHash` and `hash`. */
export interface AuditEntry {
  timestamp: Date;
  event: AuditEvent;
  /** The user's id (lower-cased email) or a service account id; null for anonymous events. */
  user: string | null;
  agent: string | null;
  sessionId: string | null;
  bundleRevision: string | null;
  context: AuditContext;
}

export interface AuditRecord extends AuditEntry {
  tenantId: string;
  /** Per tenant, gapless, from 1 (or from the checkpoint after retention). */
  seq: number;
  prevHash: string;
  hash: string;
}

/** A position in a chain: the head (last record), or where retention cut it (a checkpoint). */
export interface AuditChainPoint {
  seq: number;
  hash: string;
}

/** Left by retention: the last removed record's seq and hash, from which the remaining chain verifies. */
export interface AuditCheckpoint extends AuditChainPoint {
  tenantId: string;
  createdAt: Date;
  /** How many records this retention run removed. */
  removed: number;
}

/** Hex SHA-256 of a UTF-8 string; passed in because core does no I/O and imports no node modules. */
export type Sha256 = (text: string) => string;

/** What the first record of every tenant chains from. */
export const GENESIS_HASH = '0'.repeat(64);
export const GENESIS: AuditChainPoint = Object.freeze({ seq: 0, hash: GENESIS_HASH });

export function isAuditEvent(value: string): value is AuditEvent {
  return (AUDIT_EVENTS as readonly string[]).includes(value);
}

/**
 * The exact text a record's hash is computed over: the canonical JSON (keys sorted, no whitespace) of
 * every field but `hash`. Built by hand in sorted key order, with the context already canonical, because
 * it is on every append's hot path; a test proves it equals `canonicalJson` of the same fields.
 */
export function auditHashInput(record: Omit<AuditRecord, 'hash'>): string {
  return hashInput(record, canonicalJson(record.context));
}

function hashInput(record: Omit<AuditRecord, 'hash' | 'context'>, contextJson: string): string {
  const s = JSON.stringify;
  return (
    `{"agent":${s(record.agent)},"bundleRevision":${s(record.bundleRevision)},"context":${contextJson}` +
    `,"event":${s(record.event)},"prevHash":${s(record.prevHash)},"seq":${s(record.seq)}` +
    `,"sessionId":${s(record.sessionId)},"tenantId":${s(record.tenantId)}` +
    `,"timestamp":${s(record.timestamp.toISOString())},"user":${s(record.user)}}`
  );
}

export function auditRecordHash(record: Omit<AuditRecord, 'hash'>, sha256: Sha256): string {
  return sha256(auditHashInput(record));
}

function assertContext(context: unknown): void {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new ValidationError('An audit context must be a JSON object.', { field: 'context' });
  }
}

/** A chained record with its context's canonical JSON, which stores write as is (computed once). */
export interface ChainedRecord {
  record: AuditRecord;
  contextJson: string;
}

/** Assigns seq and hashes to entries appended after `head`; pure, so every store chains identically. */
export function chainEntriesForStorage(
  tenantId: string,
  head: AuditChainPoint,
  entries: readonly AuditEntry[],
  sha256: Sha256,
): ChainedRecord[] {
  const chained: ChainedRecord[] = [];
  let previous = head;
  for (const entry of entries) {
    assertValidEntry(entry);
    assertContext(entry.context);
    const contextJson = canonicalJson(entry.context);
    const unhashed = {
      tenantId,
      seq: previous.seq + 1,
      timestamp: new Date(entry.timestamp.getTime()),
      event: entry.event,
      user: entry.user,
      agent: entry.agent,
      sessionId: entry.sessionId,
      bundleRevision: entry.bundleRevision,
      prevHash: previous.hash,
    };
    const hash = sha256(hashInput(unhashed, contextJson));
    const record = { ...unhashed, context: JSON.parse(contextJson) as AuditContext, hash };
    chained.push({ record, contextJson });
    previous = record;
  }
  return chained;
}

export function chainEntries(
  tenantId: string,
  head: AuditChainPoint,
  entries: readonly AuditEntry[],
  sha256: Sha256,
): AuditRecord[] {
  return chainEntriesForStorage(tenantId, head, entries, sha256).map((c) => c.record);
}

function assertValidEntry(entry: AuditEntry): void {
  if (!isAuditEvent(entry.event)) {
    throw new ValidationError(`'${entry.event}' is not an audit event (one of ${AUDIT_EVENTS.join(', ')}).`, {
      field: 'event',
    });
  }
  if (!(entry.timestamp instanceof Date) || !Number.isFinite(entry.timestamp.getTime())) {
    throw new ValidationError('An audit timestamp must be a valid Date.', { field: 'timestamp' });
  }
  for (const field of ['user', 'agent', 'sessionId', 'bundleRevision'] as const) {
    const value = entry[field];
    if (value !== null && typeof value !== 'string') {
      throw new ValidationError(`An audit record's ${field} must be a string or null.`, { field });
    }
  }
}
