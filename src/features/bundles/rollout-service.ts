// Safe roll-out of policy: try a bundle beside the active one (shadow: differences recorded only;
// canary: enforced for a deterministic share of users), then promote it or roll back.
import type { Clock } from '../../core/clock/clock.ts';
import { systemClock } from '../../core/clock/clock.ts';
import { ValidationError } from '../../core/errors/app-error.ts';
import type { BundleCandidate, Storage } from '../../storage/ports.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { type ApplyResult, type BundlePlan, BundlesService } from './bundles-service.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface TryResult extends BundlePlan {
  candidate: BundleCandidate;
}

export type RollbackResult =
  | { kind: 'candidate_cleared'; revision: string }
  | { kind: 'reactivated'; result: ApplyResult };

export class RolloutService {
  private readonly bundles: BundlesService;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = systemClock,
  ) {
    this.bundles = new BundlesService(storage, clock);
  }

  /** Stores DIR as the candidate; nothing about enforcement or the org changes until `promote`. */
  async try(
    dir: string,
    env: Env,
    by: string,
    mode: BundleCandidate['mode'],
    percent: number,
  ): Promise<TryResult> {
    if (mode === 'canary' && !(Number.isInteger(percent) && percent >= 1 && percent <= 100)) {
      throw new ValidationError(`--canary takes a whole percentage from 1% to 100%, not ${percent}%.`, {
        field: 'canary',
      });
    }
    const planned = await this.bundles.plan(dir, env);
    if (planned.revision === planned.activeRevision) {
      throw new ValidationError(`${dir} is the active bundle already; there is nothing to try.`, {
        field: 'DIR',
      });
    }
    const now = this.clock.now();
    await this.storage.bundles.put({
      revision: planned.revision,
      content: planned.content,
      createdAt: now,
      createdBy: by,
    });
    const candidate: BundleCandidate = {
      revision: planned.revision,
      mode,
      percent: mode === 'shadow' ? 0 : percent,
      setBy: by,
      setAt: now,
    };
    await this.storage.bundles.setCandidate(candidate);
    await this.recordAdmin(planned.content.org.tenant.id, by, {
      action: `candidate_${mode}`,
      revision: planned.revision,
      percent: candidate.percent,
    });
    return { ...planned, candidate };
  }

  /** The candidate becomes the active bundle (its org synced as by `apply`), and stops being a candidate. */
  async promote(by: string): Promise<ApplyResult> {
    const candidate = await this.storage.bundles.candidate();
    if (!candidate)
      throw new ValidationError(
        'There is no candidate bundle to promote; try one with `apply --shadow` or `--canary`.',
      );
    const bundle = await this.storage.bundles.get(candidate.revision);
    if (!bundle) throw new ValidationError(`The candidate ${candidate.revision} is missing from the store.`);
    const result = await this.bundles.activateContent(
      bundle.content,
      `candidate ${candidate.revision.slice(0, 12)}`,
      by,
    );
    await this.storage.bundles.setCandidate(null);
    return result;
  }

  /** Clears a candidate if there is one; otherwise re-activates the bundle that was active before. */
  async rollback(by: string): Promise<RollbackResult> {
    const candidate = await this.storage.bundles.candidate();
    if (candidate) {
      await this.storage.bundles.setCandidate(null);
      const bundle = await this.storage.bundles.get(candidate.revision);
      await this.recordAdmin(bundle?.content.org.tenant.id ?? null, by, {
        action: 'candidate_cleared',
        revision: candidate.revision,
      });
      return { kind: 'candidate_cleared', revision: candidate.revision };
    }
    const [latest] = await this.storage.bundles.history(1);
    if (!latest?.previousRevision) throw new ValidationError('There is no earlier bundle to roll back to.');
    const previous = await this.storage.bundles.get(latest.previousRevision);
    if (!previous)
      throw new ValidationError(`The previous bundle ${latest.previousRevision} is missing from the store.`);
    return {
      kind: 'reactivated',
      result: await this.bundles.activateContent(
        previous.content,
        `rollback to ${previous.revision.slice(0, 12)}`,
        by,
      ),
    };
  }

  private async recordAdmin(
    tenantId: string | null,
    by: string,
    context: Record<string, string | number>,
  ): Promise<void> {
    if (!tenantId) return;
    const audit = new AuditLog(this.storage.audit, { clock: this.clock });
    try {
      await audit.record(tenantId, { event: 'admin_action', user: by, context });
    } finally {
      await audit.close();
    }
  }
}
