// Assembles a Storage from a Kysely instance and its dialect's parts; SQLite and PostgreSQL differ only in those parts.

import { type Kysely, type MigrationProvider, Migrator } from 'kysely';
import { ActiveRevisionWatch, type ChangeSource } from '../active-revision-watch.ts';
import type { Storage } from '../ports.ts';
import { StorageNotReadyError } from '../storage-errors.ts';
import type { StorageLogger } from '../storage-logger.ts';
import { KyselyAlertStore } from './kysely-alert-store.ts';
import { KyselyApiKeyStore } from './kysely-api-key-store.ts';
import { KyselyAuditStore } from './kysely-audit-store.ts';
import { KyselyBudgetIncreaseStore } from './kysely-budget-increase-store.ts';
import { KyselyBudgetStore } from './kysely-budget-store.ts';
import { KyselyBundleStore, loadActiveState } from './kysely-bundle-store.ts';
import { KyselyMachineStore } from './kysely-machine-store.ts';
import { KyselyOrgStore } from './kysely-org-store.ts';
import { publishBundle } from './kysely-publish-bundle.ts';
import type { StorageDatabase } from './kysely-schema.ts';
import { KyselySessionStore } from './kysely-session-store.ts';
import { KyselySignInStore } from './kysely-sign-in-store.ts';
import { KyselySpendLimitStore } from './kysely-spend-limit-store.ts';
import { KyselyTelemetryStore } from './kysely-telemetry-store.ts';
import { KyselyUsageStore } from './kysely-usage-store.ts';
import type { SqlDialectTraits } from './sql-dialect-traits.ts';

export interface KyselyStorageParts {
  dialect: 'sqlite' | 'postgres';
  db: Kysely<StorageDatabase>;
  traits: SqlDialectTraits;
  migrations: MigrationProvider;
  /** PostgreSQL: the schema holding kysely_migration, so another schema's migration table is never mistaken for ours. */
  migrationTableSchema?: string;
  /** How this process hears about activations made by others: a poller (SQLite) or LISTEN/NOTIFY (PostgreSQL). */
  changeSource: ChangeSource;
  logger: StorageLogger;
  /** Gives the connection back: destroys the Kysely instance, or drops a reference to a shared one. */
  release: () => Promise<void>;
}

export function createKyselyStorage(parts: KyselyStorageParts): Storage {
  const { db } = parts;
  const migrator = new Migrator({
    db,
    provider: parts.migrations,
    ...(parts.migrationTableSchema ? { migrationTableSchema: parts.migrationTableSchema } : {}),
  });
  const watch = new ActiveRevisionWatch({
    load: () => loadActiveState(db),
    source: parts.changeSource,
    logger: parts.logger,
  });
  let migrated = false;
  let closing: Promise<void> | undefined;

  return {
    dialect: parts.dialect,
    org: new KyselyOrgStore(db),
    apiKeys: new KyselyApiKeyStore(db, parts.traits),
    bundles: new KyselyBundleStore(db, parts.traits, watch),
    audit: new KyselyAuditStore(db, parts.traits),
    sessions: new KyselySessionStore(db),
    usage: new KyselyUsageStore(db),
    telemetry: new KyselyTelemetryStore(db, { partitionedByDay: parts.dialect === 'postgres' }),
    budgets: new KyselyBudgetStore(db, parts.traits),
    budgetIncreases: new KyselyBudgetIncreaseStore(db),
    spendLimits: new KyselySpendLimitStore(db),
    signIn: new KyselySignInStore(db),
    machines: new KyselyMachineStore(db),
    alerts: new KyselyAlertStore(db),
    publishBundle: (publication) => publishBundle(db, parts.traits, watch, publication),
    async migrate() {
      const { error, results = [] } = await migrator.migrateToLatest();
      if (error) throw error;
      return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },
    async ping() {
      if (!migrated) {
        const pending = (await migrator.getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
        if (pending.length > 0) throw new StorageNotReadyError(pending);
        migrated = true;
      }
      await loadActiveState(db);
    },
    close() {
      closing ??= (async () => {
        await watch.close();
        await parts.release();
      })();
      return closing;
    },
  };
}
