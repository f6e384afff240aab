// API key authentication on SQLite (parse, checksum, lookup, digest, constant-time compare, principal
// check) against its baseline: the bare store lookup by key id, measured in the same run.
import { type IssuedKey, KeysService } from '../src/features/keys/keys-service.ts';
import { measure, report } from './measure.ts';
import { withOrgStorage } from './support/org-storage.ts';

export async function run(): Promise<void> {
  await withOrgStorage(async (storage, clock) => {
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
  });
}
