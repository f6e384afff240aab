// Builders for audit-chain tests: deterministic entries and valid chains of any length.

import { type AuditEntry, type AuditRecord, chainEntries, GENESIS, type Sha256 } from './audit-record.ts';

export function auditEntry(i: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)),
    event: i % 2 ? 'tool_use' : 'decision',
    user: `user${i % 3}@acme.test`,
    agent: i % 4 ? 'claude-code' : null,
    sessionId: `s-${i % 5}`,
    bundleRevision: null,
    context: { tool: 'Read', n: i, nested: { ok: i % 2 === 0, list: [i, 'x'] } },
    ...overrides,
  };
}

export function chainOf(tenantId: string, length: number, sha256: Sha256): AuditRecord[] {
  return chainEntries(
    tenantId,
    GENESIS,
    Array.from({ length }, (_, i) => auditEntry(i)),
    sha256,
  );
}
