// Sends a request to the upstreams in failover order: skipping those whose circuit breaker is open,
// retrying answers that mean "try later" and failed connections with backoff, all before a byte has gone
// to the client. When every try fails with an HTTP answer, the last one is relayed unchanged.

import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { AppError } from '../../core/errors/app-error.ts';
import { DispatchedAnswer, dispatchUpstream } from './dispatched-answer.ts';
import type { ProviderRequest } from './providers/provider.ts';
import { isRetryableStatus, retryDelayMs } from './retry-policy.ts';
import type { UpstreamCancel } from './upstream-cancel.ts';
import type { Upstream } from './upstream-registry.ts';

/** What is forwarded of the client's request (a Fastify request or a raw one). */
export interface ForwardedRequest {
  url: string;
  method: string;
  headers: IncomingHttpHeaders;
}

/** Why a try at an upstream failed (the Prometheus metrics count them); the stream kinds come from metering. */
export type UpstreamErrorKind =
  | 'connection'
  | 'timeout'
  | 'credentials'
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'circuit_open'
  | 'stream_cut'
  | 'malformed_stream';

export type UpstreamErrorListener = (upstream: string, kind: UpstreamErrorKind) => void;

const NOT_COUNTED: UpstreamErrorListener = () => {};

/** An upstream's answer: its head, and its body in whatever form the way it was sent gives. */
export interface UpstreamAnswer<Body> {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Body;
}

export interface Forwarded<Body = Dispatcher.ResponseData['body']> {
  response: UpstreamAnswer<Body>;
  upstream: Upstream;
}

/** How one try is sent, and how an answer that is not kept is thrown away. */
export interface SendWay<Body> {
  send(upstream: Upstream, outgoing: ProviderRequest, signal: UpstreamCancel): Promise<UpstreamAnswer<Body>>;
  discard(body: Body): Promise<void>;
}

/** A provider's request as undici takes it, by either way of sending. */
function dispatchOptions(outgoing: ProviderRequest): Dispatcher.DispatchOptions {
  // One literal, no spread of a second object for the body: undici reads an absent body as none.
  return {
    path: outgoing.path,
    method: outgoing.method as Dispatcher.HttpMethod,
    headers: outgoing.headers,
    body: outgoing.body ?? null,
  };
}

/** undici's `request`: the body is a Readable (what Fastify replies with and translators read). */
export const AS_READABLE: SendWay<Dispatcher.ResponseData['body']> = {
  send: (upstream, outgoing, signal) => upstream.pool.request({ ...dispatchOptions(outgoing), signal }),
  discard: (body) => body.dump().catch(() => {}),
};

/** What `/v1/messages` reads: a dispatched answer, or a Readable from a provider that translates its answer. */
export type MessagesBody = DispatchedAnswer | Dispatcher.ResponseData['body'];

/**
 * For `/v1/messages`: undici's dispatch API, so the relay reads the parser's chunks with no stream in
 * between; a provider that translates its answer (Bedrock's event stream) gets a Readable to pipe.
 */
export const AS_DISPATCHED: SendWay<MessagesBody> = {
  send: (upstream, outgoing, signal) =>
    upstream.provider.translateResponse
      ? AS_READABLE.send(upstream, outgoing, signal)
      : dispatchUpstream(upstream.pool, dispatchOptions(outgoing), signal),
  discard: (body) => (body instanceof DispatchedAnswer ? body.discard() : AS_READABLE.discard(body)),
};

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export async function forwardToUpstreams<Body = Dispatcher.ResponseData['body']>(
  upstreams: readonly Upstream[],
  request: ForwardedRequest,
  raw: Buffer | undefined,
  signal: UpstreamCancel,
  onError: UpstreamErrorListener = NOT_COUNTED,
  way: SendWay<Body> = AS_READABLE as unknown as SendWay<Body>,
): Promise<Forwarded<Body>> {
  let held: Forwarded<Body> | undefined;
  let lastError: string | undefined;
  let tried = 0;
  for (const upstream of upstreams) {
    if (!upstream.breaker.allows(Date.now())) {
      onError(upstream.name, 'circuit_open');
      continue;
    }
    for (let attempt = 0; attempt <= upstream.config.retries; attempt++) {
      if (attempt > 0) {
        const wait = retryDelayMs(
          attempt - 1,
          held && header(held.response.headers, 'retry-after'),
          Math.random(),
        );
        if (!(await signal.sleep(wait))) {
          upstream.breaker.abandoned();
          break;
        }
      }
      if (signal.aborted) break;
      tried++;
      let outgoing: ProviderRequest;
      try {
        const built = upstream.provider.buildRequest({
          baseUrl: upstream.baseUrl,
          path: request.url,
          method: request.method,
          headers: request.headers,
          body: raw,
          config: upstream.config,
          secret: upstream.secret,
        });
        outgoing = built instanceof Promise ? await built : built;
      } catch (error) {
        // Our own refusals (a missing credential, an unsupported route) are answers; anything else (a
        // token endpoint that failed) is this upstream failing.
        if (error instanceof AppError) {
          upstream.breaker.abandoned();
          throw error;
        }
        lastError = `${upstream.name}: ${(error as Error).message}`;
        upstream.breaker.failed(lastError, Date.now());
        onError(upstream.name, 'credentials');
        continue;
      }
      let response: UpstreamAnswer<Body>;
      try {
        response = await way.send(upstream, outgoing, signal);
      } catch (error) {
        if (signal.aborted) {
          upstream.breaker.abandoned();
          break;
        }
        lastError = `${upstream.name}: ${(error as Error).message}`;
        upstream.breaker.failed(lastError, Date.now());
        onError(upstream.name, isTimeout(error) ? 'timeout' : 'connection');
        continue;
      }
      if (!isRetryableStatus(response.statusCode)) {
        upstream.breaker.succeeded();
        // Nearly always nothing is held: no promise made for it then.
        if (held) await way.discard(held.response.body);
        return { response, upstream };
      }
      // A rate limit says nothing about the upstream's health; overload and server errors do.
      if (response.statusCode === 429) upstream.breaker.succeeded();
      else upstream.breaker.failed(`HTTP ${response.statusCode}`, Date.now());
      onError(upstream.name, statusErrorKind(response.statusCode));
      if (held) await way.discard(held.response.body);
      held = { response, upstream };
    }
    if (signal.aborted) break;
  }
  if (signal.aborted) {
    if (held) await way.discard(held.response.body);
    throw new AppError(499, 'client_closed_request', 'The client closed the request.');
  }
  if (held) return held;
  if (tried === 0) {
    throw new AppError(
      529,
      'overloaded_error',
      'Every gateway upstream is failing and paused (circuit breakers open); try again shortly.',
      {},
      { 'retry-after': '30' },
    );
  }
  throw new AppError(502, 'api_error', `No upstream could be reached (${lastError ?? 'no answer'}).`);
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function isTimeout(error: unknown): boolean {
  return TIMEOUT_CODES.has(String((error as { code?: unknown }).code));
}

function statusErrorKind(status: number): UpstreamErrorKind {
  if (status === 429) return 'rate_limited';
  return status === 529 ? 'overloaded' : 'server_error';
}
