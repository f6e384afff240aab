// SQLite storage in a temporary directory, migrated, with the minimal test org (tenant acme, alice) synced:
// what the authentication benchmarks run against. Removed when `use` settles.
import { join } from 'node:path';
import { type Clock, manualClock } from '../../src/core/clock/clock.ts';
import { orgSnapshot } from '../../src/features/bundles/org-snapshot.ts';
import { createStorage } from '../../src/storage/create-storage.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { minimalPolicyConfig } from '../../test/support/minimal-policy-config.ts';
import { benchTempDir } from '../bench-temp-dir.ts';

export async function withOrgStorage(use: (storage: Storage, clock: Clock) => Promise<void>): Promise<void> {
  const dir = await benchTempDir();
  const storage = await createStorage({ dataDir: join(dir.path, 'data') });
  try {
    await storage.migrate();
    const clock = manualClock();
    await storage.org.sync('acme', orgSnapshot(minimalPolicyConfig().org), clock.now());
    await use(storage, clock);
  } finally {
    await storage.close();
    await dir.remove();
  }
}
