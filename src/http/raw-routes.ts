// Routes served straight from node:http, ahead of Fastify: the gateway's /v1/messages, where Fastify's
// request lifecycle (routing, body parser, hooks, reply, a stream piped through it) cost more CPU than
// the proxying itself (bench/README.md). A raw route keeps the app's conventions: the request id, the
// security headers, `connection: close` once shutdown begins, errors in error-mapper.ts's shape, and
// one access-log line per request at info level.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AppError } from '../core/errors/app-error.ts';
import { mapError } from './error-mapper.ts';
import { timeOrderedId } from './time-ordered-id.ts';

export interface RawExchange {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** Whether the server made the request id (none came, or the one that came was not safe to keep). */
  requestIdIsOurs: boolean;
  /** The request id, the security headers and, during shutdown, `connection: close`. */
  baseHeaders(): OutgoingHttpHeaders;
  /** A logger bound to this request's id, made on first use. */
  log(): Logger;
}

/** Settles when the route is done with the request; a rejection is answered by the error mapper. */
export type RawHandler = (exchange: RawExchange) => Promise<void>;

export interface RawRouteContext {
  logger: Logger;
  securityHeaders: Readonly<Record<string, string>>;
  shuttingDown(): boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A safe `x-request-id` the client sent, or undefined. */
function incomingRequestId(req: IncomingMessage): string | undefined {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : undefined;
}

/** The client's safe `x-request-id`, else one made here: time-ordered, so ids sort as requests came. */
export function requestIdOf(req: IncomingMessage): string {
  return incomingRequestId(req) ?? timeOrderedId();
}

/** Told when a raw request's response has closed: the route, its status and how long it took. */
export type RawResponseListener = (method: string, path: string, statusCode: number, ms: number) => void;

export class RawRoutes {
  /** By path, then method: the path of a request is looked up as it came, not joined to its method first. */
  readonly #routes = new Map<string, Map<string, { method: string; path: string; handler: RawHandler }>>();
  /** The HTTP metrics' listener; unset, no listener is added. */
  onResponse: RawResponseListener | undefined;

  /** `path` is matched without the query string (`/v1/messages?beta=true` is `/v1/messages`). */
  add(method: string, path: string, handler: RawHandler): void {
    let byMethod = this.#routes.get(path);
    if (!byMethod) {
      byMethod = new Map();
      this.#routes.set(path, byMethod);
    }
    byMethod.set(method, { method, path, handler });
  }

  /** Serves the request if a raw route matches it; false leaves it to Fastify. */
  serve(req: IncomingMessage, res: ServerResponse, context: RawRouteContext): boolean {
    if (this.#routes.size === 0) return false;
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const route = this.#routes.get(query < 0 ? url : url.slice(0, query))?.get(req.method ?? '');
    if (!route) return false;
    const started = performance.now();
    const incoming = incomingRequestId(req);
    const requestId = incoming ?? timeOrderedId();
    let log: Logger | undefined;
    const exchange: RawExchange = {
      req,
      res,
      requestId,
      requestIdIsOurs: incoming === undefined,
      baseHeaders: () => ({
        ...context.securityHeaders,
        'x-request-id': requestId,
        ...(context.shuttingDown() ? { connection: 'close' } : {}),
      }),
      log: () => {
        log ??= context.logger.child({ reqId: requestId });
        return log;
      },
    };
    if (context.logger.isLevelEnabled('info')) {
      res.once('close', () => {
        exchange.log().info(
          {
            req: { method: req.method, url: req.url },
            res: { statusCode: res.statusCode },
            responseTime: performance.now() - started,
          },
          res.writableFinished ? 'request completed' : 'request closed before its answer was sent',
        );
      });
    }
    const listener = this.onResponse;
    if (listener) {
      // `on`, not `once`: a response closes once (see cancelOnClose).
      res.on('close', () => listener(route.method, route.path, res.statusCode, performance.now() - started));
    }
    route.handler(exchange).catch((error: unknown) => answerError(exchange, error));
    return true;
  }
}

/** The mapped error if nothing was sent yet; otherwise the answer is cut, which the client sees as an error. */
export function answerError(exchange: RawExchange, error: unknown): void {
  const { res } = exchange;
  const answer = mapError(error, exchange.requestId);
  if (answer.logAs !== undefined) exchange.log().error({ err: error }, answer.logAs);
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...exchange.baseHeaders(),
    ...answer.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The request body, at most `limit` bytes: a larger one is refused with 413 `request_too_large` as soon
 * as it is known to be too large (from `content-length`, or once that many bytes have come).
 */
export function readBody(req: IncomingMessage, limit: number, setting: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(tooLarge(limit, setting));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit, setting));
        return;
      }
      chunks.push(chunk);
    });
    // `on`, not `once` (a wrapper closure each): these end the body, and a promise settles only once.
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
    req.on('aborted', () =>
      reject(new AppError(499, 'client_closed_request', 'The client closed the request.')),
    );
  });
}

function tooLarge(limit: number, setting: string): AppError {
  return new AppError(
    413,
    'request_too_large',
    `The request body is larger than this server accepts (${limit} bytes, ${setting}).`,
    {},
    { connection: 'close' },
  );
}
