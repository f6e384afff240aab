// What a candidate bundle would have changed: the recorded decisions where it disagreed with the
// active bundle (shadow), and those it decided itself (canary), grouped for a reviewer.
import type { AuditRecord } from '../../core/audit-chain/audit-record.ts';
import type { AuditStore, BundleCandidate, TenantId } from '../../storage/ports.ts';

export interface ShadowReport {
  revision: string;
  mode: BundleCandidate['mode'];
  decisions: number;
  /** `Tool: active → candidate` with how often. */
  differences: { change: string; count: number }[];
  canaryDecisions: number;
  samples: {
    at: Date;
    user: string | null;
    tool: string;
    subject: string;
    active: string;
    candidate: string;
  }[];
}

interface ShadowContext {
  revision?: string;
  outcome?: string;
}

export async function shadowReport(
  audit: AuditStore,
  tenantId: TenantId,
  candidate: BundleCandidate,
  maxSamples = 20,
): Promise<ShadowReport> {
  const records = await audit.list(tenantId, { event: 'decision', since: candidate.setAt });
  const counts = new Map<string, number>();
  const samples: ShadowReport['samples'] = [];
  let canaryDecisions = 0;
  for (const record of records) {
    const context = record.context as Record<string, unknown>;
    const canary = context.canary as ShadowContext | undefined;
    if (canary?.revision === candidate.revision) canaryDecisions += 1;
    const difference = differenceOf(record, candidate.revision);
    if (!difference) continue;
    const change = `${difference.tool}: ${difference.active} → ${difference.candidate}`;
    counts.set(change, (counts.get(change) ?? 0) + 1);
    if (samples.length < maxSamples) samples.push(difference);
  }
  return {
    revision: candidate.revision,
    mode: candidate.mode,
    decisions: records.length,
    differences: [...counts].map(([change, count]) => ({ change, count })).sort((a, b) => b.count - a.count),
    canaryDecisions,
    samples,
  };
}

/** A decision where the two bundles disagreed, whichever of them was enforced. */
function differenceOf(record: AuditRecord, revision: string): ShadowReport['samples'][number] | undefined {
  const context = record.context as Record<string, unknown>;
  const tool = String(context.tool ?? '?');
  const subject = String(context.file ?? context.command ?? context.url ?? '');
  const base = { at: record.timestamp, user: record.user, tool, subject };
  const shadow = context.shadow as ShadowContext | undefined;
  if (shadow?.revision === revision && shadow.outcome) {
    return { ...base, active: String(context.outcome), candidate: shadow.outcome };
  }
  const canary = context.canary as { revision?: string; active_outcome?: string } | undefined;
  if (canary?.revision === revision && canary.active_outcome && canary.active_outcome !== context.outcome) {
    return { ...base, active: canary.active_outcome, candidate: String(context.outcome) };
  }
  return undefined;
}
