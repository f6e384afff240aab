// Builds the Fastify app: request ids, body limits, security headers, uniform errors, routes; and the
// node:http server under it, which hands the few raw routes (raw-routes.ts) their requests first.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { installErrorMapper } from './error-mapper.ts';
import { RawRoutes, requestIdOf } from './raw-routes.ts';
import { installSecurityHeaders, securityHeaders } from './security-headers.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Routes served from node:http ahead of Fastify (the gateway's hot path). */
    rawRoutes: RawRoutes;
  }
}

export interface AppOptions {
  logger: Logger;
  /** Largest accepted request body in bytes (limits.max_file_size of the active bundle). */
  bodyLimit: number;
  https?: { cert: Buffer; key: Buffer };
}

export function buildApp(options: AppOptions): FastifyInstance {
  const rawRoutes = new RawRoutes();
  // Once shutdown begins, responses still in flight ask the client to close the connection;
  // otherwise a keep-alive socket would hold the server open until its idle timeout.
  let shuttingDown = false;
  const rawContext = {
    logger: options.logger,
    securityHeaders: securityHeaders({ tls: Boolean(options.https) }),
    shuttingDown: () => shuttingDown,
  };
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    // Idle keep-alive sockets close at shutdown; requests in flight are allowed to finish.
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    genReqId: (request) => requestIdOf(request as IncomingMessage),
    serverFactory: (fastifyHandler, serverOptions) => {
      const handle = (req: IncomingMessage, res: ServerResponse) => {
        if (!rawRoutes.serve(req, res, rawContext)) fastifyHandler(req, res);
      };
      const server = options.https ? createHttpsServer(options.https, handle) : createHttpServer(handle);
      // What Fastify sets on a server it makes itself (its defaults are filled in by now).
      const timeouts = serverOptions as {
        keepAliveTimeout?: number;
        requestTimeout?: number;
        connectionTimeout?: number;
      };
      server.keepAliveTimeout = timeouts.keepAliveTimeout ?? 72_000;
      server.requestTimeout = timeouts.requestTimeout ?? 0;
      server.setTimeout(timeouts.connectionTimeout ?? 0);
      return server;
    },
  }) as unknown as FastifyInstance;
  app.decorate('rawRoutes', rawRoutes);
  // Hooks that run on every request use callbacks: an async hook costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
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
