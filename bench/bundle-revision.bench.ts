// Loading and hashing the example enterprise's config, against the baseline of hashing plain
// JSON.stringify of the same content (what canonicalization adds), measured in the same run.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadPolicyConfig } from '../src/config/load-policy-config.ts';
import { bundleRevision } from '../src/features/bundles/bundle-revision.ts';
import { measure, report } from './measure.ts';

const EXAMPLE = fileURLToPath(new URL('../examples/acme/.claude', import.meta.url));

export async function run(): Promise<void> {
  const loaded = await loadPolicyConfig(EXAMPLE, { env: {} });
  if (!loaded.ok) throw new Error('the example config does not validate');
  const content = loaded.config;
  const baseline = await measure('baseline: sha256(JSON.stringify(content))', 2000, () =>
    createHash('sha256').update(JSON.stringify(content)).digest('hex'),
  );
  const revision = await measure('bundleRevision(content) (canonical JSON)', 2000, () =>
    bundleRevision(content),
  );
  const load = await measure('loadPolicyConfig(examples/acme/.claude)', 50, () =>
    loadPolicyConfig(EXAMPLE, { env: {} }),
  );
  report(
    'Bundle revision and config load (examples/acme)',
    [baseline, revision, load],
    `canonicalization costs ${(revision.p50Us / baseline.p50Us).toFixed(2)}× the plain hash; a full load + validate takes ${(load.p50Us / 1000).toFixed(1)} ms at p50.`,
  );
}
