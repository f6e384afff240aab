// The time window of an analytics query.

import { ValidationError } from '../../core/errors/app-error.ts';

export const DAY_MS = 86_400_000;

/** What the `to` parameter says in the API's description. */
export const TO_DEFAULT_DESCRIPTION = 'exclusive; default now (what was recorded up to now is included)';

/**
 * `from` and `to` of a query: `to` is exclusive and defaults to just after now, so a record stamped in
 * this very millisecond (the audit record of a hook answered just before) is counted; `from` defaults to
 * `defaultDays` before `to` and must come first.
 */
export function timeWindow(
  q: { from?: string; to?: string },
  now: Date,
  defaultDays: number,
): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date(now.getTime() + 1);
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultDays * DAY_MS);
  if (!(from < to)) throw new ValidationError('query.from: must be before query.to', { field: 'query.from' });
  return { from, to };
}
