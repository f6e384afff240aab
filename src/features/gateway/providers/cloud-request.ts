// What a cloud upstream (Bedrock, Vertex) takes of a client's request: `/v1/messages` and `count_tokens`
// (as the cloud's own count), and none of the Anthropic API's request tags, which both reject (tags only
// label usage: the reply is the same).

import { AppError } from '../../../core/errors/app-error.ts';

/** The `anthropic-beta` value that enables the top-level `tags` member. */
export const REQUEST_TAGS_BETA = 'request-tags-2026-08-21';

const COUNT_TOKENS_ROUTE = '/v1/messages/count_tokens';

/**
 * Which of the two routes a cloud upstream answers the client's path is (any query left aside):
 * `/v1/messages`, or `count_tokens`, which becomes the cloud's own count. Anything else, `/v1/models`
 * included, is refused before anything is sent with a 404, as the gateway protocol asks (the client
 * falls back to its built-in model list).
 */
export function cloudRoute(path: string, upstream: string, label: string): 'messages' | 'count_tokens' {
  const route = path.split('?', 1)[0]!;
  if (route === '/v1/messages') return 'messages';
  if (route === COUNT_TOKENS_ROUTE) return 'count_tokens';
  throw new AppError(
    404,
    'not_found_error',
    `${route} is not available through upstream "${upstream}" (${label}).`,
  );
}

/**
 * The protocol's answer to a count the upstream cannot make: 501 `not_supported` with `x-should-retry:
 * false`, so Claude Code counts another way at once. It names the upstream, never the cloud's own words.
 */
export function countTokensUnsupported(upstream: string, label: string, why?: string): AppError {
  return new AppError(
    501,
    'not_supported',
    `count_tokens is not available through upstream "${upstream}" (${label})${why ? `: ${why}` : ''}.`,
    {},
    { 'x-should-retry': 'false' },
  );
}

/** The client's `anthropic-beta` values (a comma-separated header, maybe repeated), less the request tags one. */
export function betasOf(header: string | string[] | undefined): string[] {
  const joined = Array.isArray(header) ? header.join(',') : (header ?? '');
  return joined
    .split(',')
    .map((beta) => beta.trim())
    .filter((beta) => beta !== '' && beta !== REQUEST_TAGS_BETA);
}

/** The body less `tags`, and less the request tags beta where a client put `anthropic_beta` in the body. */
export function withoutRequestTags(body: Record<string, unknown>): Record<string, unknown> {
  const { tags: _tags, ...rest } = body;
  if (!Array.isArray(rest.anthropic_beta)) return rest;
  const betas = rest.anthropic_beta.filter((beta) => beta !== REQUEST_TAGS_BETA);
  if (betas.length > 0) return { ...rest, anthropic_beta: betas };
  const { anthropic_beta: _none, ...bare } = rest;
  return bare;
}

/**
 * Auto mode asks the upstream to run its safety check: a top-level `safeguards`, read back as
 * `safeguard_results`. Neither cloud is known to run it, so such a request is refused before it is sent,
 * the way the gateway protocol asks: a 400 `invalid_request_error` naming `safeguards`, on which Claude
 * Code sends the request again without it and runs the check itself with ordinary requests. Passed to
 * the cloud instead, its refusal would reach the client as a generic error that names nothing.
 */
export function refuseSafeguards(body: Record<string, unknown>, upstream: string, label: string): void {
  if (!('safeguards' in body)) return;
  throw new AppError(
    400,
    'invalid_request_error',
    `safeguards: auto mode's safety check is not run through upstream "${upstream}" (${label}); send the request without "safeguards".`,
    { field: 'safeguards' },
  );
}
