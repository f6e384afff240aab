// Where a budget sits: an org ref (`team:platform`), or one API key (`key:<key id>`). Only budgets may
// name a key, so the key level lives here rather than among the org levels rules and bindings use.

import { z } from 'zod';
import { API_KEY_PREFIX, isKeyId, KEY_ID_LENGTH } from '../../core/credentials/api-key-format.ts';
import type { BudgetScope } from '../policy-config.ts';
import { formatOrgRef, parseOrgRef } from './common-schemas.ts';

const SCOPE_HINT = 'write tenant, business_unit:<id>, team:<id>, user:<email> or key:<key id>';
const KEY_HINT = `a key id is the ${KEY_ID_LENGTH} letters and digits after "${API_KEY_PREFIX}" in the key (llm-rules keys list shows it)`;

/** Parses a budget scope (`key:<id>`, else an org ref); returns a message when it is malformed. */
export function parseBudgetScope(value: unknown): BudgetScope | string {
  const written = keyRefText(value);
  if (written === undefined) return parseOrgRef(value);
  const id = written.slice('key:'.length);
  if (isKeyId(id)) return { level: 'key', id };
  // Never echo what was written: someone may have pasted a whole key, secret included.
  return id.startsWith(API_KEY_PREFIX)
    ? 'invalid key scope: "key:" takes the key id, not the whole key (remove the key from this file and rotate it)'
    : `invalid key scope: "key:" needs a key id of ${KEY_ID_LENGTH} letters and digits`;
}

/** The `key:<id>` text of a key scope written as a string or as `{level: key, id}`; undefined otherwise. */
function keyRefText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.startsWith('key:') ? value : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const { level, id } = value as { level?: unknown; id?: unknown };
  return level === 'key' ? `key:${typeof id === 'string' ? id : ''}` : undefined;
}

/** A budget's `scope`, normalized to `{level, id}`. */
export const budgetScopeSchema = z.unknown().transform((value, ctx): BudgetScope => {
  const parsed = parseBudgetScope(value);
  if (typeof parsed === 'string') {
    const key = keyRefText(value) !== undefined;
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
  return scope.level === 'key' ? `key:${scope.id}` : formatOrgRef(scope);
}
