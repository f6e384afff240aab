// Builds the one usage record of a gateway request from what the proxy learned about it.

import type { IncomingHttpHeaders } from 'node:http';
import { costMicroDollars, NO_TOKENS } from '../../../core/pricing/usage-cost.ts';
import type { UsageOutcome, UsageRecord } from '../../../storage/usage-port.ts';
import type { AuthenticatedKey } from '../../keys/keys-service.ts';
import type { GatewayPrices } from '../gateway-prices.ts';
import type { MessagesRequest } from '../messages-request.ts';
import type { RelayResult } from '../upstream-relay.ts';

type Attribution = Pick<
  UsageRecord,
  'tenantId' | 'principal' | 'keyId' | 'businessUnitId' | 'teamId' | 'sessionId' | 'agentId'
>;

/** What is known before the upstream answers. */
export interface RequestFacts {
  attribution: Attribution;
  requestId: string;
  at: Date;
  /** `performance.now()` when the request arrived. */
  started: number;
  /** The first upstream in the failover order until one has answered, then the one that did. */
  upstream: string;
  request: MessagesRequest;
  prices: GatewayPrices;
}

/** Who the record is about: tenant, principal, key, org position, and Claude Code's session and agent. */
export function attributionOf(who: AuthenticatedKey, headers: IncomingHttpHeaders): Attribution {
  const profile = who.profile;
  const header = (name: string): string | null => {
    const value = headers[name];
    return typeof value === 'string' && value !== '' ? value : null;
  };
  return {
    tenantId: who.tenantId,
    principal: who.principal,
    keyId: who.keyId,
    businessUnitId: 'businessUnitId' in profile ? profile.businessUnitId : null,
    teamId: profile.teamId,
    sessionId: header('x-claude-code-session-id'),
    agentId: header('x-claude-code-agent-id'),
  };
}

export function meteredUsage(
  facts: RequestFacts,
  answer: { statusCode: number; stream: boolean; result: RelayResult; aborted: boolean; ttfbMs: number },
): UsageRecord {
  const { statusCode, result } = answer;
  const outcome: UsageOutcome =
    statusCode >= 400
      ? 'upstream_error'
      : answer.aborted
        ? 'aborted'
        : // Cut before malformed: a body that ended part way is unreadable because it was cut.
          result.cut
          ? 'cut'
          : result.malformed
            ? 'malformed'
            : answer.stream && !result.complete
              ? 'cut'
              : 'complete';
  // Errors are not billed; an accepted request whose usage never arrived is billed its estimated input.
  const tokens = statusCode >= 400 ? { ...NO_TOKENS } : { ...result.usage };
  const inputKnown =
    tokens.input > 0 || tokens.cacheRead > 0 || tokens.cacheWrite5m > 0 || tokens.cacheWrite1h > 0;
  if (statusCode < 400 && !inputKnown && !result.complete) tokens.input = facts.request.estimatedInputTokens;
  const model = result.model ?? facts.request.model;
  const priced = facts.prices.priceOf(model);
  return record(facts, {
    model,
    status: statusCode,
    outcome,
    stream: answer.stream,
    tokens,
    costMicro: costMicroDollars(tokens, priced.price),
    pricedAs: priced.key ?? null,
    ttfbMs: answer.ttfbMs,
  });
}

/**
 * A request that got no upstream answer: `refused` before it was forwarded (a limit, a budget, a model
 * rule), `upstream_error` when no upstream could be reached, `aborted` when the client left first.
 * Recorded, nothing billed.
 */
export function unansweredUsage(
  facts: RequestFacts,
  status: number,
  outcome: 'refused' | 'upstream_error' | 'aborted' = 'refused',
): UsageRecord {
  return record(facts, {
    model: facts.request.model,
    status,
    outcome,
    stream: facts.request.stream,
    tokens: { ...NO_TOKENS },
    costMicro: 0,
    pricedAs: facts.prices.priceOf(facts.request.model).key ?? null,
    ttfbMs: null,
  });
}

/**
 * Every field written out, in one order, with no spread: one is built per request, and objects that
 * all share a shape stay on V8's fast paths (a spread-built record cost ~20 µs a request in map
 * transitions, bench/README.md).
 */
function record(
  facts: RequestFacts,
  answer: Pick<
    UsageRecord,
    'model' | 'status' | 'outcome' | 'stream' | 'tokens' | 'costMicro' | 'pricedAs' | 'ttfbMs'
  >,
): UsageRecord {
  const who = facts.attribution;
  return {
    tenantId: who.tenantId,
    requestId: facts.requestId,
    at: facts.at,
    principal: who.principal,
    keyId: who.keyId,
    businessUnitId: who.businessUnitId,
    teamId: who.teamId,
    sessionId: who.sessionId,
    agentId: who.agentId,
    model: answer.model,
    upstream: facts.upstream,
    status: answer.status,
    outcome: answer.outcome,
    stream: answer.stream,
    tokens: answer.tokens,
    costMicro: answer.costMicro,
    pricedAs: answer.pricedAs,
    priceVersion: facts.prices.version,
    latencyMs: performance.now() - facts.started,
    ttfbMs: answer.ttfbMs,
  };
}
