// Plan and apply: turns a `.claude/` directory into an immutable, content-addressed policy bundle,
// synchronizes the org it declares, and makes it the active bundle.
import { type LoadResult, loadPolicyConfig } from '../../config/load-policy-config.ts';
import type { PolicyConfig } from '../../config/policy-config.ts';
import { type Plan, planDiff } from '../../core/bundles/plan-diff.ts';
import { type Clock, systemClock } from '../../core/clock/clock.ts';
import { ConfigError } from '../../core/errors/app-error.ts';
import { ruleChanges } from '../../core/rules/rule-changes.ts';
import { emptyOrgSnapshot } from '../../storage/empty-org-snapshot.ts';
import type { OrgSnapshot, OrgSyncResult, Storage } from '../../storage/ports.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { bundleRevision } from './bundle-revision.ts';
import { orgSnapshot } from './org-snapshot.ts';

export interface BundlePlan {
  dir: string;
  content: PolicyConfig;
  revision: string;
  activeRevision: string | null;
  /** The active bundle's content when planned, for the rule-by-rule audit of an activation. */
  activeContent?: PolicyConfig;
  plan: Plan;
}

export interface ApplyResult extends BundlePlan {
  /** False when the content equals the active bundle: nothing was written. */
  changed: boolean;
  orgSync: Record<string, OrgSyncResult>;
}

type Env = Readonly<Record<string, string | undefined>>;

const MAX_AUDITED_CHANGES = 200;
/** A diff longer than this is cut in the audit record (the bundles keep both versions in full). */
const MAX_AUDITED_DIFF = 64 * 1024;

export class BundlesService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = systemClock,
  ) {}

  async plan(dir: string, env: Env): Promise<BundlePlan> {
    return this.planContent(dir, await loadOrThrow(dir, env));
  }

  async apply(dir: string, env: Env, appliedBy: string): Promise<ApplyResult> {
    return this.publish(await this.plan(dir, env), appliedBy);
  }

  /** Makes stored content active (promote, rollback): the same transaction and audit as `apply`. */
  async activateContent(content: PolicyConfig, source: string, appliedBy: string): Promise<ApplyResult> {
    return this.publish(await this.planContent(source, content), appliedBy);
  }

  private async planContent(dir: string, content: PolicyConfig): Promise<BundlePlan> {
    const revision = bundleRevision(content);
    const activeRevision = await this.storage.bundles.activeRevision();
    const active = activeRevision ? await this.storage.bundles.get(activeRevision) : undefined;
    return {
      dir,
      content,
      revision,
      activeRevision,
      ...(active ? { activeContent: active.content } : {}),
      plan: planDiff(active?.content, content),
    };
  }

  private async publish(planned: BundlePlan, appliedBy: string): Promise<ApplyResult> {
    const now = this.clock.now();
    // Always published, even when the revision is active: the org re-sync is a no-op when nothing
    // drifted and repairs the store when something did. One transaction, serialized with other applies.
    const published = await this.storage.publishBundle({
      bundle: { revision: planned.revision, content: planned.content, createdAt: now, createdBy: appliedBy },
      orgs: tenantOrgs(planned.content),
      appliedBy,
      at: now,
    });
    if (published.activated)
      await this.recordConfigChange(planned, published.previousRevision, appliedBy, now);
    return {
      ...planned,
      activeRevision: published.previousRevision,
      changed: published.activated,
      orgSync: published.orgSync,
    };
  }

  /** Every activation is a `config_change` in the chain of each tenant the bundle governs. */
  private async recordConfigChange(
    planned: BundlePlan,
    previous: string | null,
    appliedBy: string,
    at: Date,
  ): Promise<void> {
    const audit = new AuditLog(this.storage.audit, { clock: this.clock });
    const { plan } = planned;
    const context = {
      revision: planned.revision,
      previous_revision: previous,
      applied_by: appliedBy,
      added: plan.added,
      changed: plan.changed,
      removed: plan.removed,
      // Enough to see what moved; `llm-rules plan` against the previous revision has the fields.
      changes: plan.changes.slice(0, MAX_AUDITED_CHANGES).map((c) => `${c.kind} ${c.section} ${c.id}`),
    };
    const tenants = [planned.content.org.tenant.id, ...planned.content.tenants.map((t) => t.id)];
    // Rule by rule, with the diff, in every chain the rule reaches (the previous bundle is the one
    // planned against; a concurrent apply in between is still recorded by its own config_change).
    const rules = ruleChanges(planned.activeContent, planned.content).flatMap((change) =>
      change.tenants.map((tenantId) => ({ tenantId, change })),
    );
    try {
      await Promise.all([
        ...tenants.map((tenantId) =>
          audit.record(tenantId, {
            event: 'config_change',
            timestamp: at,
            user: appliedBy,
            bundleRevision: planned.revision,
            context,
          }),
        ),
        ...rules.map(({ tenantId, change }) =>
          audit.record(tenantId, {
            event: 'rule_modification',
            timestamp: at,
            user: appliedBy,
            bundleRevision: planned.revision,
            context: {
              rule: change.ruleId,
              path: change.path,
              change: change.kind,
              previous_revision: previous,
              diff: change.diff.slice(0, MAX_AUDITED_DIFF),
              ...(change.diff.length > MAX_AUDITED_DIFF ? { diff_truncated: true } : {}),
            },
          }),
        ),
      ]);
    } finally {
      await audit.close();
    }
  }
}

/** Every tenant the bundle declares, with its org (empty for a tenant without an `org/`). */
function tenantOrgs(content: PolicyConfig): OrgSnapshot[] {
  return [
    orgSnapshot(content.org),
    ...content.tenants.map((tenant) =>
      tenant.org
        ? orgSnapshot({ ...tenant.org, tenant: { ...tenant.org.tenant, id: tenant.id } })
        : emptyOrgSnapshot({ id: tenant.id, name: tenant.id }),
    ),
  ];
}

async function loadOrThrow(dir: string, env: Env): Promise<PolicyConfig> {
  const result: LoadResult = await loadPolicyConfig(dir, { env });
  if (!result.ok) {
    const errors = result.problems.filter((p) => p.severity === 'error');
    throw new ConfigError(
      `${dir} has ${errors.length} configuration error(s); run \`llm-rules validate ${dir}\` for details.`,
      {
        problems: result.problems,
      },
    );
  }
  return result.config;
}
