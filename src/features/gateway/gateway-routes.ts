// The Anthropic-compatible routes: /v1/messages (the path matched whatever the query, as clients add
// `?beta=true`; a raw route, ahead of Fastify, as it carries nearly all the traffic),
// /v1/messages/count_tokens, /v1/models, and the /api/hello reachability probe.

import type { FastifyInstance } from 'fastify';
import type { GatewayProxy } from './gateway-proxy.ts';

export interface GatewayRouteOptions {
  proxy: GatewayProxy;
  /** gateway.max_request_bytes of the bundle active at start. */
  bodyLimit: number;
}

export function gatewayRoutes(app: FastifyInstance, options: GatewayRouteOptions): void {
  const { proxy, bodyLimit } = options;
  app.rawRoutes.add('POST', '/v1/messages', (exchange) => proxy.messages(exchange));
  app.register(async (scope) => {
    // Bodies are forwarded byte for byte, so they are kept as bytes; the proxy parses what it inspects.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    scope.post('/v1/messages/count_tokens', { bodyLimit }, (request, reply) =>
      proxy.passthrough(request, reply),
    );
    scope.get('/v1/models', (request, reply) => proxy.models(request, reply));
    scope.get('/v1/models/:id', (request, reply) => proxy.models(request, reply));
  });
  app.get('/api/oauth/usage', (request) => proxy.usage(request));
  // Claude Code probes the base URL (HEAD) before its first request; no credential is needed to learn we are here.
  app.get('/api/hello', (_request, reply) => reply.send({ message: 'hello' }));
}
