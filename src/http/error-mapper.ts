// The one place errors become HTTP responses: `{type:"error", error:{type, message, details}}`, the
// shape Anthropic clients already parse, with our details added.
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

export function installErrorMapper(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return reply
        .status(error.status)
        .headers(error.headers)
        .send(errorBody(error.code, error.message, error.details));
    }
    if (error.validation) {
      const first = error.validation[0];
      const field =
        first?.instancePath?.replace(/^\//, '').replaceAll('/', '.') || first?.params?.missingProperty;
      return reply
        .status(400)
        .send(
          errorBody('invalid_request_error', error.message, field ? { field: String(field) } : undefined),
        );
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .status(413)
        .send(
          errorBody(
            'request_too_large',
            'The request body is larger than this server accepts (limits.max_file_size).',
          ),
        );
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.status(error.statusCode ?? 415).send(errorBody('invalid_request_error', error.message));
    }
    if (
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      (error.statusCode === 400 && error instanceof SyntaxError)
    ) {
      return reply
        .status(400)
        .send(errorBody('invalid_request_error', `The body is not valid JSON: ${error.message}`));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody('invalid_request_error', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(500)
      .send(errorBody('api_error', `Internal error; quote request id ${request.id} when reporting it.`));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(errorBody('not_found_error', `No route for ${request.method} ${request.url.split('?')[0]}.`));
  });
}
