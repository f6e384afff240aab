// Amazon Bedrock as an upstream: `InvokeModel` / `InvokeModelWithResponseStream` on the Anthropic model,
// signed with SigV4; the body loses `model` and `stream` (they are in the path) and the request tags
// (Bedrock rejects them), and gains `anthropic_version` and the client's `anthropic-beta` header as
// `anthropic_beta`. `count_tokens` becomes Bedrock's CountTokens (bedrock-count-tokens.ts). Its error
// answers are rewritten so they name no AWS account (cloud-errors.ts).

import { pipeline } from 'node:stream';
import { parsedMessagesBody } from '../../messages-request.ts';
import { joinPath } from '../anthropic/anthropic-provider.ts';
import { cloudErrorAnswer, INPUT_TOO_LONG } from '../cloud-errors.ts';
import { betasOf, cloudRoute, refuseSafeguards, withoutRequestTags } from '../cloud-request.ts';
import type {
  ProviderCount,
  ProviderError,
  ProviderErrorInput,
  ProviderRequest,
  ProviderRequestInput,
  ProviderResponse,
  UpstreamMessageReport,
  UpstreamProvider,
  WholeAnswer,
} from '../provider.ts';
import { bedrockCount, countTokensRequest } from './bedrock-count-tokens.ts';
import { eventStreamToSse } from './bedrock-event-stream.ts';
import { BEDROCK_ANTHROPIC_VERSION, signedBedrockRequest } from './bedrock-wire.ts';

/** `claude-sonnet-4-5-20250929` → `anthropic.claude-sonnet-4-5-20250929-v1:0`, unless `model_ids` says otherwise. */
export function bedrockModelId(model: string, mapped: Readonly<Record<string, string>>): string {
  // Own keys only: the caller names the model ("constructor" is on every object's prototype).
  if (Object.hasOwn(mapped, model)) return mapped[model]!;
  if (model.includes('anthropic.') || model.startsWith('arn:')) return model;
  return `anthropic.${model}-v1:0`;
}

export const bedrockProvider: UpstreamProvider = {
  kind: 'bedrock',
  async buildRequest(input: ProviderRequestInput): Promise<ProviderRequest> {
    const { config, baseUrl } = input;
    const counting = cloudRoute(input.path, config.name, 'Bedrock') === 'count_tokens';
    const body = withoutRequestTags(parsedMessagesBody(input.body));
    const { model, stream, ...rest } = body;
    const betas = betasOf(input.headers['anthropic-beta']);
    const id = bedrockModelId(String(model), config.model_ids ?? {});
    if (counting) return countTokensRequest(input, id, rest, betas);
    refuseSafeguards(rest, config.name, 'Bedrock');
    const payload = Buffer.from(
      JSON.stringify({
        anthropic_version: BEDROCK_ANTHROPIC_VERSION,
        ...(betas.length > 0 ? { anthropic_beta: betas } : {}),
        ...rest,
      }),
    );
    const action = stream === true ? 'invoke-with-response-stream' : 'invoke';
    const path = joinPath(baseUrl.pathname, `/model/${encodeURIComponent(id)}/${action}`);
    const accept = stream === true ? 'application/vnd.amazon.eventstream' : 'application/json';
    return signedBedrockRequest(input, path, payload, accept);
  },
  translateResponse(response: ProviderResponse, report: UpstreamMessageReport): ProviderResponse {
    const type = String(response.headers['content-type'] ?? '');
    if (!type.includes('application/vnd.amazon.eventstream')) return response;
    const { 'content-type': _type, 'content-length': _length, ...headers } = response.headers;
    return {
      headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' },
      // pipeline, not pipe: a cut or failed upstream body must end (with an error) what the client reads.
      body: pipeline(response.body, eventStreamToSse(report), () => {}),
    };
  },
  translateError(error: ProviderErrorInput): ProviderError {
    return cloudErrorAnswer('Amazon Bedrock', error, inputTooLong);
  },
  readCount(answer: WholeAnswer, upstream: string): ProviderCount {
    return bedrockCount(answer, upstream);
  },
};

/** Bedrock's own words for a prompt over the model's context, which Claude Code's recovery matches whole. */
function inputTooLong(status: number, message: string): string | undefined {
  return status === 400 && message === INPUT_TOO_LONG ? INPUT_TOO_LONG : undefined;
}
