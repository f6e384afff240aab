// A bundle's revision: the sha256 of the canonical JSON of its content.
import { createHash } from 'node:crypto';
import type { PolicyConfig } from '../../config/policy-config.ts';
import { canonicalJson } from '../../core/bundles/canonical-json.ts';

export function bundleRevision(content: PolicyConfig): string {
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}
