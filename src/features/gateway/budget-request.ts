// What the budgets need to know of a request before it is forwarded: who it is for, and the most it can cost.

import type { BudgetSubject } from '../../core/budgets/applicable-budgets.ts';
import type { ModelPrice } from '../../core/pricing/price-table.ts';
import type { AuthenticatedKey } from '../keys/keys-service.ts';
import type { MessagesRequest } from './messages-request.ts';

/**
 * The most a request can cost, reserved before it is forwarded: its estimated input at the dearest input
 * rate (a 1-hour cache write) and all of `max_tokens` as output. Reserving the worst case is what keeps
 * concurrent requests from overdrawing a budget; the actual cost replaces it when the request settles.
 */
export function worstCaseMicro(request: MessagesRequest, price: ModelPrice): number {
  const input = Math.max(price.input, price.cacheWrite5m, price.cacheWrite1h);
  return Math.ceil(
    request.estimatedInputTokens * input + (request.maxTokens ?? DEFAULT_OUTPUT_RESERVE) * price.output,
  );
}

/** `max_tokens` is required by the Messages API; a request without it reserves this much output. */
const DEFAULT_OUTPUT_RESERVE = 4_096;

export function budgetSubject(who: AuthenticatedKey): BudgetSubject {
  let subject = subjects.get(who);
  if (!subject) {
    subject = subjectOf(who);
    subjects.set(who, subject);
  }
  return subject;
}

/**
 * Each caller's subject, remembered by the caller: a verified credential's caller is the same object
 * for as long as it is cached (keys-service.ts), and the budgets key their cache by the subject's
 * identity too (budget-guard.ts). Callers are not changed once made.
 */
const subjects = new WeakMap<AuthenticatedKey, BudgetSubject>();

function subjectOf(who: AuthenticatedKey): BudgetSubject {
  const profile = who.profile;
  return {
    type: who.principal.type,
    id: who.principal.id,
    businessUnitId: 'businessUnitId' in profile ? profile.businessUnitId : null,
    teamId: profile.teamId,
    keyId: who.keyId,
    // A user's configured groups, with their IdP groups mapped in when signed in; a service account has none.
    groups: 'groups' in profile ? profile.groups : [],
  };
}
