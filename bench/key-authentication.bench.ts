// API key authentication on SQLite (parse, checksum, lookup, digest, constant-time compare, principal
// check) against its baseline: the bare store lookup by key id, measured in the same run.
import { join } from 'node:path';
import { manualClock } from '../src/core/clock/clock.ts';
import { orgSnapshot } from '../src/features/bundles/org-snapshot.ts';
import { type IssuedKey, KeysService } from '../src/features/keys/keys-service.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { minimalPolicyConfig } from '../test/support/minimal-policy-config.ts';
import { benchTempDir } from './bench-temp-dir.ts';
import { measure, report } from './measure.ts';

export async function run(): Promise<void> {
  const dir = await benchTempDir();
  const storage = await createStorage({ dataDir: join(dir.path, 'data') });
  try {
    await storage.migrate();
    const clock = manualClock();
    await storage.org.sync('acme', orgSnapshot(minimalPolicyConfig().org), clock.now());
    const keys = new KeysService(storage, clock);
    const issued: IssuedKey[] = [];
    for (let i = 0; i < 1000; i++)
      issued.push(
        await keys.create({ tenantId: 'acme', principal: { type: 'user', id: 'alice@acme.test' } }),
      );
    const n = 5000;
    const baseline = await measure('baseline: store lookup by key id', n, (i) =>
      storage.apiKeys.findForAuthentication(issued[i % issued.length]!.record.id),
    );
    const full = await measure('authenticate(key)', n, (i) =>
      keys.authenticate(issued[i % issued.length]!.plaintext),
    );
    report(
      'API key authentication (SQLite, 1,000 keys)',
      [baseline, full],
      `authentication costs ${(full.p50Us - baseline.p50Us).toFixed(1)} µs at p50 over the bare lookup (${(full.p50Us / baseline.p50Us).toFixed(2)}×).`,
    );
  } finally {
    await storage.close();
    await dir.remove();
  }
}
