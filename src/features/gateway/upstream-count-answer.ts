// The answer to a `count_tokens` request that the upstream's provider turned into the upstream's own
// count (Bedrock's CountTokens, Vertex's count-tokens): read whole and read by the provider, it gives the
// input tokens, or the provider's refusal, whose reason (it can name cloud accounts or projects) goes to
// the operator's log only.

import type { Readable } from 'node:stream';
import type { PriceWarnings } from './gateway-prices.ts';
import type { UpstreamProvider } from './providers/provider.ts';
import { type ErrorContext, readWhole } from './upstream-error-answer.ts';
import type { UpstreamAnswer } from './upstream-forwarder.ts';
import { readableSource } from './upstream-relay.ts';

/** More than any count's answer holds (a number, or an error's message). */
const MAX_COUNT_BYTES = 64 * 1024;

/** The input tokens the upstream counted; throws the provider's refusal (a 501) when it could not count. */
export async function countedInputTokens(
  read: NonNullable<UpstreamProvider['readCount']>,
  answer: UpstreamAnswer<Readable>,
  logger: PriceWarnings,
  context: ErrorContext,
): Promise<number> {
  const body = await readWhole(readableSource(answer.body), MAX_COUNT_BYTES);
  const count = read({ status: answer.statusCode, headers: answer.headers, body }, context.upstream);
  if ('inputTokens' in count) return count.inputTokens;
  logger.warn(
    {
      ...context,
      upstreamStatus: answer.statusCode,
      status: count.refusal.status,
      upstreamMessage: count.upstreamMessage,
    },
    'the upstream could not count the tokens',
  );
  throw count.refusal;
}
