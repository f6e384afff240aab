// Conservative response headers for an API that serves no third-party content.
import type { FastifyInstance } from 'fastify';

/**
 * What every response carries unless its route set its own `content-security-policy` or
 * `cache-control` (the raw routes spread these first, so a route's own values win the same way).
 */
export function securityHeaders(options: { tls: boolean }): Readonly<Record<string, string>> {
  return Object.freeze({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cache-control': 'no-store',
    ...(options.tls ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  });
}

const SET_ONLY_IF_ABSENT = new Set(['content-security-policy', 'cache-control']);

export function installSecurityHeaders(app: FastifyInstance, options: { tls: boolean }): void {
  const headers = Object.entries(securityHeaders(options));
  // Callback style rather than async: it runs on every response, and an async hook costs a promise each time.
  app.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of headers) {
      if (!SET_ONLY_IF_ABSENT.has(name) || !reply.hasHeader(name)) reply.header(name, value);
    }
    done(null, payload);
  });
}
