// Canonical JSON: object keys sorted, no whitespace, undefined dropped — the byte form a bundle's
// revision is the sha256 of, so equal content always has one revision.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

function canonicalize(value: unknown): JsonValue | undefined {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => canonicalize(item) ?? null);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
      return value;
    case 'object': {
      const out: { [key: string]: JsonValue } = {};
      for (const key of Object.keys(value as object).sort()) {
        const item = canonicalize((value as Record<string, unknown>)[key]);
        if (item !== undefined) out[key] = item;
      }
      return out;
    }
    default:
      return undefined;
  }
}
