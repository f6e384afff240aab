// Builds the Fastify app: request ids, body limits, security headers, uniform errors, routes.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { installErrorMapper } from './error-mapper.ts';
import { installSecurityHeaders } from './security-headers.ts';

export interface AppOptions {
  logger: Logger;
  /** Largest accepted request body in bytes (limits.max_file_size of the active bundle). */
  bodyLimit: number;
  https?: { cert: Buffer; key: Buffer };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    // Idle keep-alive sockets close at shutdown; requests in flight are allowed to finish.
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;
  // Hooks that run on every request use callbacks: an async hook costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // Once shutdown begins, responses still in flight ask the client to close the connection;
  // otherwise a keep-alive socket would hold the server open until its idle timeout.
  let shuttingDown = false;
  app.addHook('preClose', async () => {
    shuttingDown = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });
  installSecurityHeaders(app, { tls: Boolean(options.https) });
  installErrorMapper(app);
  return app;
}
