// Bedrock's CountTokens for the Messages API's `count_tokens`: the client's request as the InvokeModel
// body Bedrock would count (base64, in `input.invokeModel.body`) on the foundation model, and Bedrock's
// `{"inputTokens": N}` read back. Whatever fails is the protocol's 501, after which Claude Code counts
// another way.

import { isPlainObject } from '../../../../core/values/is-plain-object.ts';
import { joinPath } from '../anthropic/anthropic-provider.ts';
import { cloudCount, countedMembers } from '../cloud-count.ts';
import { countTokensUnsupported } from '../cloud-request.ts';
import type { ProviderCount, ProviderRequest, ProviderRequestInput, WholeAnswer } from '../provider.ts';
import { BEDROCK_ANTHROPIC_VERSION, signedBedrockRequest } from './bedrock-wire.ts';

const LABEL = 'Bedrock';

/**
 * The `anthropic-beta` values a counted body keeps: those Claude Code itself sends Bedrock on a count
 * (the gateway protocol names `claude-code-20250219`), which CountTokens is known to take. The others
 * the invoke path forwards (context-1m, interleaved thinking …) could make Bedrock refuse the count.
 */
export const COUNTED_BETAS: ReadonlySet<string> = new Set(['claude-code-20250219']);

/** A cross-region inference profile's geography (`us.`, `eu.`, `apac.`, `us-gov.`, `global.` …). */
const GEOGRAPHY_PREFIX = /^[a-z]+(?:-[a-z]+)*\.(?=anthropic\.)/;

/** `us.anthropic.claude-…` → `anthropic.claude-…`: CountTokens takes foundation-model ids only. */
export function foundationModelId(modelId: string): string {
  return modelId.replace(GEOGRAPHY_PREFIX, '');
}

/**
 * The signed CountTokens request for a count_tokens body (less `model` and the request tags). An ARN
 * (an application inference profile) names no foundation model to count on: 501 without asking AWS.
 */
export async function countTokensRequest(
  input: ProviderRequestInput,
  modelId: string,
  body: Record<string, unknown>,
  headerBetas: readonly string[],
): Promise<ProviderRequest> {
  if (modelId.startsWith('arn:')) {
    throw countTokensUnsupported(input.config.name, LABEL, 'an inference profile ARN cannot be counted');
  }
  const invokeBody = Buffer.from(JSON.stringify(countedInvokeBody(body, headerBetas)));
  const payload = Buffer.from(
    JSON.stringify({ input: { invokeModel: { body: invokeBody.toString('base64') } } }),
  );
  const id = encodeURIComponent(foundationModelId(modelId));
  const path = joinPath(input.baseUrl.pathname, `/model/${id}/count-tokens`);
  return signedBedrockRequest(input, path, payload, 'application/json');
}

/** The InvokeModel body Bedrock counts: what decides the input tokens, and what Bedrock requires of a body. */
export function countedInvokeBody(
  body: Record<string, unknown>,
  headerBetas: readonly string[],
): Record<string, unknown> {
  const counted: Record<string, unknown> = {
    anthropic_version: BEDROCK_ANTHROPIC_VERSION,
    max_tokens: maxTokensAbove(body.thinking),
  };
  const betas = countedBetas([...headerBetas, ...stringsOf(body.anthropic_beta)]);
  if (betas.length > 0) counted.anthropic_beta = betas;
  return { ...counted, ...countedMembers(body) };
}

/** Bedrock's answer to CountTokens: its `inputTokens`, or a 501 with its reason for the operator's log. */
export function bedrockCount(answer: WholeAnswer, upstream: string): ProviderCount {
  return cloudCount(answer, upstream, LABEL, 'inputTokens');
}

/**
 * Bedrock requires max_tokens above a thinking budget; a count request carries no max_tokens of its own,
 * and the output limit does not change the input's count.
 */
function maxTokensAbove(thinking: unknown): number {
  const budget = isPlainObject(thinking) ? thinking.budget_tokens : undefined;
  return typeof budget === 'number' ? Math.max(1, Math.floor(budget) + 1) : 1;
}

function countedBetas(betas: readonly string[]): string[] {
  return [...new Set(betas)].filter((beta) => COUNTED_BETAS.has(beta));
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
