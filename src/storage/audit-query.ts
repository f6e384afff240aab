// Checks an audit list query once for every adapter, so all refuse the same bad input alike.

import { ValidationError } from '../core/errors/app-error.ts';
import type { AuditQuery } from './ports.ts';

export function assertAuditQuery(query: AuditQuery): void {
  for (const field of ['since', 'until'] as const) {
    const value = query[field];
    if (value !== undefined && !Number.isFinite(value.getTime())) {
      throw new ValidationError(`--${field} is not a valid timestamp.`, { field });
    }
  }
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0)) {
    throw new ValidationError('An audit list limit must be a non-negative integer.', { field: 'limit' });
  }
  if (query.afterSeq !== undefined && !Number.isInteger(query.afterSeq)) {
    throw new ValidationError('afterSeq must be an integer.', { field: 'afterSeq' });
  }
}
