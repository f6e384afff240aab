// The one place errors become HTTP responses: `{type:"error", error:{type, message, details}}`, the
// shape Anthropic clients already parse, with our details added. Fastify's routes and the raw routes
// (raw-routes.ts) both answer through mapError.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../core/errors/app-error.ts';

export interface ErrorBody {
  type: 'error';
  error: { type: string; message: string; details?: Record<string, unknown> };
}

export function errorBody(type: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return {
    type: 'error',
    error: details && Object.keys(details).length > 0 ? { type, message, details } : { type, message },
  };
}

export interface MappedError {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
  /** What to log at error level (a server-side failure); undefined for the caller's mistakes. */
  logAs: string | undefined;
}

const mapped = (status: number, body: ErrorBody, headers: Record<string, string> = {}): MappedError => ({
  status,
  headers,
  body,
  logAs: undefined,
});

export function mapError(error: unknown, requestId: string): MappedError {
  if (error instanceof AppError) {
    return {
      ...mapped(error.status, errorBody(error.code, error.message, error.details), error.headers),
      // 501 is a route this server does not offer (a count_tokens the upstream cannot make): not a failure.
      logAs: error.status >= 500 && error.status !== 501 ? error.message : undefined,
    };
  }
  const fastify = error as Partial<FastifyError>;
  if (fastify.validation) {
    const first = fastify.validation[0];
    const field =
      first?.instancePath?.replace(/^\//, '').replaceAll('/', '.') || first?.params?.missingProperty;
    return mapped(
      400,
      errorBody(
        'invalid_request_error',
        String(fastify.message),
        field ? { field: String(field) } : undefined,
      ),
    );
  }
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return mapped(
      413,
      errorBody(
        'request_too_large',
        'The request body is larger than this server accepts (limits.max_file_size).',
      ),
    );
  }
  if (fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fastify.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return mapped(fastify.statusCode ?? 415, errorBody('invalid_request_error', String(fastify.message)));
  }
  if (
    fastify.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (fastify.statusCode === 400 && error instanceof SyntaxError)
  ) {
    return mapped(
      400,
      errorBody('invalid_request_error', `The body is not valid JSON: ${String(fastify.message)}`),
    );
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return mapped(fastify.statusCode, errorBody('invalid_request_error', String(fastify.message)));
  }
  return {
    ...mapped(
      500,
      errorBody('api_error', `Internal error; quote request id ${requestId} when reporting it.`),
    ),
    logAs: 'unhandled error',
  };
}

export function installErrorMapper(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const answer = mapError(error, request.id);
    if (answer.logAs !== undefined) request.log.error({ err: error }, answer.logAs);
    return reply.status(answer.status).headers(answer.headers).send(answer.body);
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(errorBody('not_found_error', `No route for ${request.method} ${request.url.split('?')[0]}.`));
  });
}
