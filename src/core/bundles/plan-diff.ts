// The difference between two policy configs, entity by entity and field by field: what `plan` shows.
import type { PolicyConfig } from '../../config/policy-config.ts';
import { isPlainObject } from '../values/is-plain-object.ts';
import { canonicalJson } from './canonical-json.ts';
import { policyEntities, SECTION_ORDER } from './policy-entities.ts';

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface EntityChange {
  section: string;
  id: string;
  kind: 'added' | 'removed' | 'changed';
  fields: FieldChange[];
}

export interface Plan {
  changes: EntityChange[];
  added: number;
  removed: number;
  changed: number;
}

/** `before` undefined means there is no active bundle yet: everything is added. */
export function planDiff(before: PolicyConfig | undefined, after: PolicyConfig): Plan {
  const old = before ? policyEntities(before) : new Map<string, Map<string, unknown>>();
  const next = policyEntities(after);
  const changes: EntityChange[] = [];
  for (const section of SECTION_ORDER) {
    const a = old.get(section) ?? new Map<string, unknown>();
    const b = next.get(section) ?? new Map<string, unknown>();
    const ids = [...new Set([...a.keys(), ...b.keys()])].sort();
    for (const id of ids) {
      if (!a.has(id)) changes.push({ section, id, kind: 'added', fields: [] });
      else if (!b.has(id)) changes.push({ section, id, kind: 'removed', fields: [] });
      else {
        const fields = diffValues(a.get(id), b.get(id), '');
        if (fields.length > 0) changes.push({ section, id, kind: 'changed', fields });
      }
    }
  }
  return {
    changes,
    added: changes.filter((c) => c.kind === 'added').length,
    removed: changes.filter((c) => c.kind === 'removed').length,
    changed: changes.filter((c) => c.kind === 'changed').length,
  };
}

function diffValues(before: unknown, after: unknown, path: string): FieldChange[] {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffValues(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return [{ path: path || '(value)', before, after }];
}
