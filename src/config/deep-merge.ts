// Merges a tenant's config.yaml over the root one: mappings merge key by key, everything else replaces.

import { isPlainObject } from '../core/values/is-plain-object.ts';

export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    out[key] = key in base ? deepMerge(base[key], value) : value;
  }
  return out;
}
