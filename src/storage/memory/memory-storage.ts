// The in-memory Storage fake: same contract as SQLite and PostgreSQL, no I/O, for unit tests.

import { usageRollupsByTenant } from '../../core/analytics/usage-contribution.ts';
import { emptySnapshotsForMissingTenants } from '../empty-org-snapshot.ts';
import type { BundlePublication, OrgSyncResult, PublishResult, Storage, TenantId } from '../ports.ts';
import { type StorageLogger, silentLogger } from '../storage-logger.ts';
import { usageRow } from '../usage-row.ts';
import { MemoryAlertStore } from './memory-alert-store.ts';
import { MemoryApiKeyStore } from './memory-api-key-store.ts';
import { MemoryAuditStore } from './memory-audit-store.ts';
import { MemoryBudgetIncreaseStore } from './memory-budget-increase-store.ts';
import { MemoryBudgetStore } from './memory-budget-store.ts';
import { MemoryBundleStore } from './memory-bundle-store.ts';
import { MemoryMachineStore } from './memory-machine-store.ts';
import { MemoryOrgStore } from './memory-org-store.ts';
import { MemorySessionStore } from './memory-session-store.ts';
import { MemorySignInStore } from './memory-sign-in-store.ts';
import { MemorySpendLimitStore } from './memory-spend-limit-store.ts';
import { MemoryTelemetryStore } from './memory-telemetry-store.ts';
import { MemoryUsageStore } from './memory-usage-store.ts';

export function createMemoryStorage(options: { logger?: StorageLogger } = {}): Storage {
  const org = new MemoryOrgStore();
  const apiKeys = new MemoryApiKeyStore((tenantId) => org.hasTenant(tenantId));
  const bundles = new MemoryBundleStore(options.logger ?? silentLogger);
  let migrated = false;
  const usage = new MemoryUsageStore();
  const telemetry = new MemoryTelemetryStore(usage);
  usage.onInserted = (records) => {
    for (const [tenantId, rows] of usageRollupsByTenant(records.map(usageRow)))
      telemetry.addRollups(tenantId, rows);
  };
  return {
    dialect: 'memory',
    org,
    apiKeys,
    bundles,
    audit: new MemoryAuditStore(),
    sessions: new MemorySessionStore(),
    usage,
    telemetry,
    budgets: new MemoryBudgetStore(),
    budgetIncreases: new MemoryBudgetIncreaseStore(),
    spendLimits: new MemorySpendLimitStore(),
    signIn: new MemorySignInStore(),
    machines: new MemoryMachineStore(),
    alerts: new MemoryAlertStore(),
    publishBundle: (publication) => publishInMemory(org, bundles, publication),
    // Reports one pseudo-migration the first time, so callers see the same idempotence as the SQL adapters.
    async migrate() {
      if (migrated) return [];
      migrated = true;
      return ['memory'];
    },
    async ping() {},
    close: () => bundles.close(),
  };
}

async function publishInMemory(
  org: MemoryOrgStore,
  bundles: MemoryBundleStore,
  publication: BundlePublication,
): Promise<PublishResult> {
  const previousRevision = await bundles.activeRevision();
  const isNew = await bundles.put(publication.bundle);
  try {
    return await org.atomically(async () => {
      const known = await org.listTenants();
      const orgSync: Record<TenantId, OrgSyncResult> = {};
      for (const snapshot of [
        ...publication.orgs,
        ...emptySnapshotsForMissingTenants(publication.orgs, known),
      ]) {
        orgSync[snapshot.tenant.id] = await org.sync(snapshot.tenant.id, snapshot, publication.at);
      }
      const { activated } = await bundles.activateReporting(
        publication.bundle.revision,
        publication.appliedBy,
        publication.at,
      );
      return { activated, previousRevision, orgSync };
    });
  } catch (error) {
    if (isNew) bundles.forget(publication.bundle.revision);
    throw error;
  }
}
