// Verifies a tenant's stored chain page by page, from its latest checkpoint to the head the store recorded.

import type { AuditChainPoint } from '../../core/audit-chain/audit-record.ts';
import { type ChainVerdict, ChainVerifier } from '../../core/audit-chain/verify-chain.ts';
import { sha256Hex } from '../../storage/audit-sha256.ts';
import type { AuditStore, TenantId } from '../../storage/ports.ts';

export interface TenantVerification {
  tenantId: TenantId;
  verdict: ChainVerdict;
  /** Where the verified chain started: the latest retention checkpoint, if any. */
  checkpoint: AuditChainPoint | undefined;
}

export async function verifyTenantAudit(
  audit: AuditStore,
  tenantId: TenantId,
  pageSize = 5000,
): Promise<TenantVerification> {
  const latest = (await audit.checkpoints(tenantId)).at(-1);
  const checkpoint = latest && { seq: latest.seq, hash: latest.hash };
  const verifier = new ChainVerifier({ sha256: sha256Hex, tenantId, ...(checkpoint ? { checkpoint } : {}) });
  let afterSeq: number | undefined;
  let head: AuditChainPoint | undefined;
  // The head is read after the records, so records appended meanwhile are never mistaken for forgeries;
  // if it moved past what was read, the records it covers are read too.
  for (;;) {
    for (;;) {
      const page = await audit.list(tenantId, {
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        limit: pageSize,
      });
      if (page.length === 0) break;
      afterSeq = page.at(-1)!.seq;
      if (verifier.feed(page)) return { tenantId, verdict: verifier.finish(), checkpoint };
      if (page.length < pageSize) break;
    }
    head = await audit.head(tenantId);
    const readUpTo = afterSeq ?? checkpoint?.seq ?? 0;
    if (!head || head.seq <= readUpTo) break;
    const more = await audit.list(tenantId, { afterSeq: readUpTo, limit: 1 });
    if (more.length === 0) break;
  }
  return { tenantId, verdict: verifier.finish(head), checkpoint };
}

/** Every tenant with a chain (or just those named), in order. */
export async function verifyAudit(audit: AuditStore, tenants?: TenantId[]): Promise<TenantVerification[]> {
  const results: TenantVerification[] = [];
  for (const tenantId of tenants ?? (await audit.tenants())) {
    results.push(await verifyTenantAudit(audit, tenantId));
  }
  return results;
}
