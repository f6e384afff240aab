// Admin API: the audit log, queried by time, event and sequence, or exported whole as NDJSON.
import { z } from 'zod';
import { AUDIT_EVENTS, type AuditRecord } from '../../core/audit-chain/audit-record.ts';
import type { AdminDeps } from './admin-deps.ts';
import { tenantParams } from './admin-org-routes.ts';
import { adminRoute } from './admin-route.ts';

const record = z.object({
  seq: z.number(),
  timestamp: z.string(),
  event: z.string(),
  user: z.string().nullable(),
  agent: z.string().nullable(),
  session_id: z.string().nullable(),
  bundle_revision: z.string().nullable(),
  context: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
});

const view = (r: AuditRecord) => ({
  seq: r.seq,
  timestamp: r.timestamp.toISOString(),
  event: r.event,
  user: r.user,
  agent: r.agent,
  session_id: r.sessionId,
  bundle_revision: r.bundleRevision,
  context: r.context,
  prev_hash: r.prevHash,
  hash: r.hash,
});

const query = z.object({
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  event: z.enum(AUDIT_EVENTS).optional(),
  after_seq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

export function auditRoutes(deps: AdminDeps) {
  const list = (tenantId: string, q: z.infer<typeof query>) =>
    deps.storage.audit.list(tenantId, {
      ...(q.since ? { since: new Date(q.since) } : {}),
      ...(q.until ? { until: new Date(q.until) } : {}),
      ...(q.event ? { event: q.event } : {}),
      ...(q.after_seq !== undefined ? { afterSeq: q.after_seq } : {}),
      limit: q.limit,
    });
  return [
    adminRoute({
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/audit',
      summary: 'Audit records in sequence order; page with after_seq',
      tag: 'audit',
      permission: 'audit:read',
      params: tenantParams,
      query,
      response: z.object({ records: z.array(record), next_after_seq: z.number().nullable() }),
      async handle({ tenantId, query: q }) {
        const records = await list(tenantId, q);
        return {
          records: records.map(view),
          next_after_seq: records.length === q.limit ? records.at(-1)!.seq : null,
        };
      },
    }),
    adminRoute({
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/audit/export',
      summary: 'Audit records as NDJSON, one record a line, with their hashes (verifiable offline)',
      tag: 'audit',
      permission: 'audit:read',
      params: tenantParams,
      query: query.extend({ limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000) }),
      response: z.string().describe('application/x-ndjson'),
      contentType: 'application/x-ndjson; charset=utf-8',
      async handle({ tenantId, query: q }) {
        const records = await list(tenantId, q);
        return records.map((r) => `${JSON.stringify(view(r))}\n`).join('');
      },
    }),
  ];
}
