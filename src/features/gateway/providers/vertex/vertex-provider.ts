// Google Vertex AI as an upstream: `rawPredict` / `streamRawPredict` on the Anthropic publisher model,
// with an OAuth access token from google-auth-library (a service account, or the server's application
// default credentials). Vertex answers in the Messages API's own form, SSE included; it rejects the
// request tags, which are left out, and its error answers are rewritten so they name no GCP project.
// `count_tokens` becomes Vertex's own count (`count-tokens:rawPredict`), read back by `readCount`.

import { GoogleAuth } from 'google-auth-library';
import { upstreamRequestHeaders } from '../../forward-headers.ts';
import { parsedMessagesBody } from '../../messages-request.ts';
import { joinPath } from '../anthropic/anthropic-provider.ts';
import { cloudCount, countedMembers } from '../cloud-count.ts';
import { cloudErrorAnswer, INPUT_TOO_LONG } from '../cloud-errors.ts';
import { betasOf, cloudRoute, refuseSafeguards, withoutRequestTags } from '../cloud-request.ts';
import type {
  ProviderCount,
  ProviderError,
  ProviderErrorInput,
  ProviderRequest,
  ProviderRequestInput,
  UpstreamProvider,
  WholeAnswer,
} from '../provider.ts';

const LABEL = 'Vertex';
const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';
/** The publisher model that counts tokens for every Claude model, named in the body's `model`. */
const COUNT_TOKENS_MODEL = 'count-tokens';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5@20250929`, unless `model_ids` says otherwise. */
export function vertexModelId(model: string, mapped: Readonly<Record<string, string>>): string {
  // Own keys only: the caller names the model ("constructor" is on every object's prototype).
  if (Object.hasOwn(mapped, model)) return mapped[model]!;
  return model.includes('@') ? model : model.replace(/-(\d{8})$/, '@$1');
}

/** One auth client per set of credentials: it caches and refreshes its own access token. */
const clients = new Map<string, GoogleAuth>();

function authFor(serviceAccountJson: string | undefined): GoogleAuth {
  const key = serviceAccountJson ?? '';
  let client = clients.get(key);
  if (!client) {
    client = serviceAccountJson
      ? new GoogleAuth({
          credentials: JSON.parse(serviceAccountJson) as Record<string, string>,
          scopes: [SCOPE],
        })
      : new GoogleAuth({ scopes: [SCOPE] });
    clients.set(key, client);
  }
  return client;
}

export const vertexProvider: UpstreamProvider = {
  kind: 'vertex',
  async buildRequest(input: ProviderRequestInput): Promise<ProviderRequest> {
    const { config } = input;
    const counting = cloudRoute(input.path, config.name, LABEL) === 'count_tokens';
    const { model, ...rest } = withoutRequestTags(parsedMessagesBody(input.body));
    const id = vertexModelId(String(model), config.model_ids ?? {});
    if (counting) return vertexRequest(input, `${COUNT_TOKENS_MODEL}:rawPredict`, countedBody(id, rest));
    refuseSafeguards(rest, config.name, LABEL);
    const action = rest.stream === true ? 'streamRawPredict' : 'rawPredict';
    const body = { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
    return vertexRequest(input, `${encodeURIComponent(id)}:${action}`, body);
  },
  translateError(error: ProviderErrorInput): ProviderError {
    return cloudErrorAnswer('Google Vertex AI', error, requestTooLarge);
  },
  readCount(answer: WholeAnswer, upstream: string): ProviderCount {
    return cloudCount(answer, upstream, LABEL, 'input_tokens');
  },
};

/**
 * The body Vertex counts, in the Anthropic API's count_tokens form as Anthropic's Vertex SDK sends it:
 * `model` is the Vertex id (the path names the counting model, not the counted one), and
 * `anthropic_version` is sent as on rawPredict. Auto mode's `safeguards` are left out rather than refused:
 * they add no input tokens.
 */
function countedBody(modelId: string, body: Record<string, unknown>): Record<string, unknown> {
  return { anthropic_version: VERTEX_ANTHROPIC_VERSION, model: modelId, ...countedMembers(body) };
}

/**
 * A POST of `body` to `{model}:{action}` under the upstream's project and region, with a Google access
 * token and the client's headers (the request tags beta left out).
 */
async function vertexRequest(
  input: ProviderRequestInput,
  modelAction: string,
  body: Record<string, unknown>,
): Promise<ProviderRequest> {
  const { config, baseUrl } = input;
  const path = joinPath(
    baseUrl.pathname,
    `/v1/projects/${encodeURIComponent(config.project_id!)}/locations/${config.region!}/publishers/anthropic/models/${modelAction}`,
  );
  const token = await authFor(input.secret('service_account_secret')).getAccessToken();
  if (!token) throw new Error('google-auth-library returned no access token');
  const headers = upstreamRequestHeaders(input.headers);
  headers.authorization = `Bearer ${token}`;
  headers['content-type'] = 'application/json';
  const betas = betasOf(input.headers['anthropic-beta']);
  if (betas.length > 0) headers['anthropic-beta'] = betas.join(',');
  else delete headers['anthropic-beta'];
  return { path, method: 'POST', headers, body: Buffer.from(JSON.stringify(body)) };
}

/**
 * Vertex's limit on a request's bytes (`The request size (30037042 bytes) exceeds 30.000MB limit.`, or
 * `The message size …`), sent in the words of Bedrock's, which Claude Code's recovery matches whole.
 */
const SIZE_LIMIT = /^The (?:request|message) size \(\d+ bytes\) exceeds [\d.]+ ?MB limit\.?$/;

function requestTooLarge(status: number, message: string): string | undefined {
  return status === 400 && SIZE_LIMIT.test(message) ? INPUT_TOO_LONG : undefined;
}
