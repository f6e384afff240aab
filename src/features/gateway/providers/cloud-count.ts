// What a cloud upstream's own token count shares (Bedrock's CountTokens, Vertex's count-tokens): the
// members of a Messages request that decide its input tokens, and the cloud's answer read back as a
// number or as the protocol's 501, with the cloud's reason for the operator's log only.

import { isPlainObject } from '../../../core/values/is-plain-object.ts';
import { loggedUpstreamMessage } from './cloud-errors.ts';
import { countTokensUnsupported } from './cloud-request.ts';
import type { ProviderCount, WholeAnswer } from './provider.ts';

/** The members of a Messages request that decide its input tokens, passed as the client sent them. */
const COUNTED_FIELDS = ['system', 'messages', 'tools', 'tool_choice', 'thinking'] as const;

/**
 * The counted members of a count_tokens body. What else it holds (`max_tokens`, `metadata`, auto mode's
 * `safeguards` …) does not change the count, and a cloud could refuse it.
 */
export function countedMembers(body: Record<string, unknown>): Record<string, unknown> {
  const counted: Record<string, unknown> = {};
  for (const field of COUNTED_FIELDS) {
    const value = body[field];
    // An empty tools list counts nothing, and Bedrock refuses it.
    if (value === undefined || (field === 'tools' && Array.isArray(value) && value.length === 0)) continue;
    counted[field] = value;
  }
  return counted;
}

/**
 * A cloud's answer to its count: the number in `field` of a 200's JSON body, or a 501 naming the upstream
 * (the cloud's words can name its account or project) with the cloud's reason for the log.
 */
export function cloudCount(
  answer: WholeAnswer,
  upstream: string,
  label: string,
  field: string,
): ProviderCount {
  const inputTokens = answer.status === 200 ? tokensIn(answer.body, field) : undefined;
  if (inputTokens !== undefined) return { inputTokens };
  const why = "it could not count this request; its reason is in the gateway's log";
  const reason = loggedUpstreamMessage(answer.body);
  const upstreamMessage = answer.status === 200 ? `an answer without ${field}: ${reason}` : reason;
  return { refusal: countTokensUnsupported(upstream, label, why), upstreamMessage };
}

function tokensIn(body: Buffer, field: string): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const tokens = isPlainObject(parsed) ? parsed[field] : undefined;
  return typeof tokens === 'number' && Number.isSafeInteger(tokens) && tokens >= 0 ? tokens : undefined;
}
