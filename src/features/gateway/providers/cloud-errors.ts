// A cloud upstream's (Bedrock's, Vertex's) error answer as a Messages API client gets it. Their messages
// can name the organisation's cloud account, ARNs or project, so the client gets Anthropic's error
// envelope with a generic message of the matching type, and the operator's log the upstream's message;
// except the messages Claude Code's recovery keys on (a prompt too long: it drops images, compacts).

import type { ProviderError, ProviderErrorInput } from './provider.ts';

/** Anthropic's error types for the statuses its API documents; others fall back by class (errorType). */
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/** What the upstream did, by the error type the client gets. */
const WHAT_HAPPENED: Readonly<Record<string, string>> = {
  invalid_request_error: 'refused the request as invalid',
  permission_error: "did not allow the gateway's account this request (is the model enabled there?)",
  not_found_error: 'does not know the model or route asked for',
  request_too_large: 'found the request too large',
  rate_limit_error: "is limiting the gateway's requests; try again shortly",
  overloaded_error: 'is overloaded; try again shortly',
  api_error: 'failed to answer',
};

/**
 * Bedrock's message for a prompt over the model's context, which Claude Code's recovery (dropping images,
 * then compacting) matches whole: sent exactly, and for the other clouds' size errors too.
 */
export const INPUT_TOO_LONG = 'Input is too long.';

/** The longest upstream message logged: enough for any cloud error, and a bound on what an odd one writes. */
const MAX_LOGGED_CHARS = 1_000;

/** Decides the message of an error the client's recovery reads; undefined for one that gets the generic message. */
export type PassedMessage = (status: number, upstreamMessage: string) => string | undefined;

export function errorType(status: number): string {
  return (
    ERROR_TYPES[status] ?? (status >= 500 || MODEL_FAILED.has(status) ? 'api_error' : 'invalid_request_error')
  );
}

/** Bedrock's 408 (ModelTimeoutException) and 424 (ModelErrorException): the model failed, not the request. */
const MODEL_FAILED = new Set([408, 424]);

/**
 * The answer for an upstream's error. The cloud refusing the gateway's own credentials goes to the client
 * as 502 `api_error` (refusedOwnCredentials).
 */
export function cloudErrorAnswer(
  label: string,
  error: ProviderErrorInput,
  passed: PassedMessage,
): ProviderError {
  const parsed = parseJson(error.body);
  const upstreamMessage = messageOf(parsed) ?? error.body.toString('utf8');
  const logged = loggable(upstreamMessage);
  const headers = retryAfterOf(error.headers);
  const anthropic = error.status === 400 || error.status === 413 ? anthropicError(parsed) : undefined;
  if (anthropic) return answer(error.status, anthropic.type, anthropic.message, headers, logged);
  const message = passed(error.status, upstreamMessage.trim());
  if (message !== undefined) return answer(400, 'invalid_request_error', message, headers, logged);
  const status = refusedOwnCredentials(error) ? 502 : error.status;
  const type = errorType(status);
  const generic = `${label} ${WHAT_HAPPENED[type]} (HTTP ${error.status}); its reason is in the gateway's log (ask the gateway's operator).`;
  return answer(status, type, generic, headers, logged);
}

/** The upstream's own message in a body it answered with (whatever the cloud's envelope), as the log takes it. */
export function loggedUpstreamMessage(body: Buffer): string {
  return loggable(messageOf(parseJson(body)) ?? body.toString('utf8'));
}

/**
 * An upstream's message as the log may hold it: AWS's signature errors quote the request as signed, its
 * session token included, and a bearer or access token can turn up in any odd error body. Those are cut
 * out; the rest (account ids, ARNs, projects) is what the operator needs to read.
 */
export function loggable(message: string): string {
  return message
    .replace(CANONICAL_REQUEST, ' [the signed request, left out]')
    .replace(SECRET_VALUES, '$1[redacted]')
    .slice(0, MAX_LOGGED_CHARS);
}

/** From AWS's "The Canonical String for this request should have been …" to the end (String-to-Sign too). */
const CANONICAL_REQUEST = /\s*The Canonical String for this request should have been[\s\S]*$/i;
/** A value after a name that holds a secret: security tokens, signatures, credentials, bearer tokens. */
const SECRET_VALUES =
  /((?:x-amz-security-token|x-amz-signature|signature|credential|access_token|api[_-]?key)\s*[:=]\s*|authorization\s*[:=]\s*(?:[a-z][a-z0-9-]*\s+)?|bearer\s+)[^\s,;'"&]+/gi;

/**
 * A 401 is the cloud refusing the gateway's own credentials, and so is AWS's 403 for a key it does not
 * know or a signature that does not match: a 401 or 403 would tell Claude Code the developer's access is
 * at fault (a 401 signs them in again), so the client gets a 502, which is the gateway's.
 */
function refusedOwnCredentials(error: ProviderErrorInput): boolean {
  if (error.status === 401) return true;
  if (error.status !== 403) return false;
  const errorType = String(error.headers['x-amzn-errortype'] ?? '');
  return /^(UnrecognizedClient|InvalidSignature|IncompleteSignature|ExpiredToken|InvalidClientTokenId)/i.test(
    errorType,
  );
}

function answer(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string>,
  upstreamMessage: string,
): ProviderError {
  const body = Buffer.from(JSON.stringify({ type: 'error', error: { type, message } }));
  return { status, headers: { ...headers, 'content-type': 'application/json' }, body, upstreamMessage };
}

/** Only `retry-after` of the upstream's headers: the rest describe the cloud's answer, not ours. */
function retryAfterOf(headers: ProviderErrorInput['headers']): Record<string, string> {
  const value = headers['retry-after'];
  const retryAfter = Array.isArray(value) ? value[0] : value;
  return retryAfter === undefined ? {} : { 'retry-after': retryAfter };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Anthropic's own envelope, `{"type":"error","error":{"type","message"}}` (Vertex relays the model's). */
function anthropicError(parsed: unknown): { type: string; message: string } | undefined {
  if (!isRecord(parsed) || parsed.type !== 'error' || !isRecord(parsed.error)) return undefined;
  const { type, message } = parsed.error;
  return typeof type === 'string' && typeof message === 'string' ? { type, message } : undefined;
}

/** The message of Anthropic's envelope, Bedrock's `{"message"}` or Google's `{"error":{"message"}}` (maybe in a list). */
function messageOf(parsed: unknown): string | undefined {
  const error = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!isRecord(error)) return undefined;
  if (typeof error.message === 'string') return error.message;
  if (typeof error.Message === 'string') return error.Message;
  return isRecord(error.error) && typeof error.error.message === 'string' ? error.error.message : undefined;
}
