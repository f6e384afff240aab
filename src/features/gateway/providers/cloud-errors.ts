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

/** The longest upstream message logged: enough for any cloud error, and a bound on what an odd one writes. */
const MAX_LOGGED_CHARS = 1_000;

/** Decides the message of an error the client's recovery reads; undefined for one that gets the generic message. */
export type PassedMessage = (status: number, upstreamMessage: string) => string | undefined;

export function errorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/**
 * The answer for an upstream's error. A 401 is the cloud refusing the gateway's own credentials: it goes
 * to the client as 502 `api_error`, since a 401 would send Claude Code to sign the developer in again.
 */
export function cloudErrorAnswer(
  label: string,
  error: ProviderErrorInput,
  passed: PassedMessage,
): ProviderError {
  const parsed = parseJson(error.body);
  const upstreamMessage = messageOf(parsed) ?? error.body.toString('utf8');
  const logged = upstreamMessage.slice(0, MAX_LOGGED_CHARS);
  const headers = retryAfterOf(error.headers);
  const anthropic = error.status === 400 || error.status === 413 ? anthropicError(parsed) : undefined;
  if (anthropic) return answer(error.status, anthropic.type, anthropic.message, headers, logged);
  const message = passed(error.status, upstreamMessage.trim());
  if (message !== undefined) return answer(400, 'invalid_request_error', message, headers, logged);
  const status = error.status === 401 ? 502 : error.status;
  const type = errorType(status);
  const generic = `${label} ${WHAT_HAPPENED[type]} (HTTP ${error.status}); its reason is in the gateway's log (ask the gateway's operator).`;
  return answer(status, type, generic, headers, logged);
}

/** The upstream's own message in a body it answered with (whatever the cloud's envelope), as the log takes it. */
export function loggedUpstreamMessage(body: Buffer): string {
  return (messageOf(parseJson(body)) ?? body.toString('utf8')).slice(0, MAX_LOGGED_CHARS);
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
