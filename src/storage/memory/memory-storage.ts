// The in-memory Storage fake: same contract as SQLite and PostgreSQL, no I/O, for unit tests.

import type { Storage } from '../ports.ts';
import { type StorageLogger, silentLogger } from '../storage-logger.ts';
import { MemoryApiKeyStore } from './memory-api-key-store.ts';
import { MemoryBundleStore } from './memory-bundle-store.ts';
import { MemoryOrgStore } from './memory-org-store.ts';

export function createMemoryStorage(options: { logger?: StorageLogger } = {}): Storage {
  const org = new MemoryOrgStore();
  const apiKeys = new MemoryApiKeyStore((tenantId) => org.hasTenant(tenantId));
  const bundles = new MemoryBundleStore(options.logger ?? silentLogger);
  let migrated = false;
  return {
    dialect: 'memory',
    org,
    apiKeys,
    bundles,
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
