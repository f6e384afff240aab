// Where a budget sits: an org ref (`team:platform`), one API key (`key:<key id>`) or a group of users
// (`group:<group id>`). Only budgets may name a key or a group as a place, so those levels live here
// rather than among the org levels rules, alerts and role bindings use.

import { z } from 'zod';
import { API_KEY_PREFIX, isKeyId, KEY_ID_LENGTH } from '../../core/credentials/api-key-format.ts';
import type { BudgetScope } from '../policy-config.ts';
import { formatOrgRef, parseOrgRef } from './common-schemas.ts';

const SCOPE_HINT =
  'write tenant, business_unit:<id>, team:<id>, user:<email>, group:<group id> or key:<key id>';
const KEY_HINT = `a key id is the ${KEY_ID_LENGTH} letters and digits after "${API_KEY_PREFIX}" in the key (llm-rules keys list shows it)`;

/** Parses a budget scope (`key:<id>`, `group:<id>`, else an org ref); returns a message when it is malformed. */
export function parseBudgetScope(value: unknown): BudgetScope | string {
  const group = refText(value, 'group');
  if (group !== undefined) return parseGroupScope(group);
  const written = refText(value, 'key');
  if (written === undefined) return parseOrgRef(value);
  const id = written.slice('key:'.length);
  if (isKeyId(id)) return { level: 'key', id };
  // Never echo what was written: someone may have pasted a whole key, secret included.
  return id.startsWith(API_KEY_PREFIX)
    ? 'invalid key scope: "key:" takes the key id, not the whole key (remove the key from this file and rotate it)'
    : `invalid key scope: "key:" needs a key id of ${KEY_ID_LENGTH} letters and digits`;
}

/** Whether the group exists is the org check's to say (org-checks.ts), where every group is known. */
function parseGroupScope(written: string): BudgetScope | string {
  const id = written.slice('group:'.length);
  return id === '' ? `invalid group scope "${written}": missing id after "group:"` : { level: 'group', id };
}

/**
 * The `<level>:<id>` text of a key or group scope written as a string or as `{level, id}`; undefined when
 * the scope is of another level.
 */
function refText(value: unknown, level: 'key' | 'group'): string | undefined {
  if (typeof value === 'string') return value.startsWith(`${level}:`) ? value : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const written = value as { level?: unknown; id?: unknown };
  return written.level === level ? `${level}:${typeof written.id === 'string' ? written.id : ''}` : undefined;
}

/** A budget's `scope`, normalized to `{level, id}`. */
export const budgetScopeSchema = z.unknown().transform((value, ctx): BudgetScope => {
  const parsed = parseBudgetScope(value);
  if (typeof parsed === 'string') {
    const key = refText(value, 'key') !== undefined;
    ctx.addIssue({
      code: 'custom',
      message: parsed,
      params: { hint: key ? KEY_HINT : SCOPE_HINT },
      // Left out for keys, for the reason above.
      input: key ? undefined : value,
    });
    return z.NEVER;
  }
  return parsed;
});

export function formatBudgetScope(scope: BudgetScope): string {
  return scope.level === 'key' || scope.level === 'group'
    ? `${scope.level}:${scope.id}`
    : formatOrgRef(scope);
}
