// Retention: removes each tenant's records older than its `audit.retention_days` (or a given number of
// days), leaving a checkpoint, and records the removal itself in the chain as an `admin_action`.

import { type Clock, systemClock } from '../../core/clock/clock.ts';
import { ValidationError } from '../../core/errors/app-error.ts';
import type { Storage, TenantId } from '../../storage/ports.ts';
import { tenantConfig } from '../bundles/tenant-config.ts';

export interface RetentionResult {
  tenantId: TenantId;
  /** Undefined when neither the active bundle nor the caller set a retention for this tenant: nothing removed. */
  days: number | undefined;
  removed: number;
  /** Where the remaining chain now starts, when records were removed. */
  checkpointSeq?: number;
}

export interface RetentionOptions {
  tenants?: TenantId[];
  /** Overrides every tenant's `audit.retention_days`. */
  days?: number;
  actor: string;
  clock?: Clock;
}

const DAY_MS = 86_400_000;

export async function applyAuditRetention(
  storage: Storage,
  options: RetentionOptions,
): Promise<RetentionResult[]> {
  if (options.days !== undefined && !(Number.isInteger(options.days) && options.days >= 1)) {
    throw new ValidationError('Retention must be a whole number of days, at least 1.', { field: 'days' });
  }
  const now = (options.clock ?? systemClock).now();
  const revision = await storage.bundles.activeRevision();
  const bundle = revision ? await storage.bundles.get(revision) : undefined;
  const results: RetentionResult[] = [];
  for (const tenantId of options.tenants ?? (await storage.audit.tenants())) {
    const days = options.days ?? (bundle && tenantConfig(bundle.content, tenantId)?.audit.retention_days);
    if (days === undefined) {
      results.push({ tenantId, days, removed: 0 });
      continue;
    }
    const before = new Date(now.getTime() - days * DAY_MS);
    const removed = await storage.audit.deleteBefore(tenantId, before, now);
    if (removed === 0) {
      results.push({ tenantId, days, removed });
      continue;
    }
    const checkpoint = (await storage.audit.checkpoints(tenantId)).at(-1)!;
    // The chain itself attests the cut, so a checkpoint nobody recorded stands out in an export.
    await storage.audit.append(tenantId, [
      {
        timestamp: now,
        event: 'admin_action',
        user: options.actor,
        agent: null,
        sessionId: null,
        bundleRevision: revision,
        context: {
          action: 'audit_retention',
          before: before.toISOString(),
          removed,
          checkpoint_seq: checkpoint.seq,
          checkpoint_hash: checkpoint.hash,
        },
      },
    ]);
    results.push({ tenantId, days, removed, checkpointSeq: checkpoint.seq });
  }
  return results;
}
