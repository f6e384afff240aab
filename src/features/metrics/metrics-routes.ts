// `GET /metrics`: the Prometheus text exposition of the server's metrics, behind a bearer token when
// one is configured (`metricsToken`); a scrape without it is 401.
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { AuthenticationError } from '../../core/errors/app-error.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import { digestsEqual, keyDigest } from '../keys/key-digest.ts';

export const METRICS_PATH = '/metrics';

export function metricsRoutes(
  app: FastifyInstance,
  deps: { scrape: () => Promise<string>; token?: string | undefined },
): void {
  // Compared as digests: equal lengths whatever was sent, so the comparison says nothing of the token.
  const expected = deps.token ? keyDigest(deps.token) : undefined;
  // Scraped every few seconds by every Prometheus: access-log lines only when something is wrong.
  app.get(METRICS_PATH, { logLevel: 'warn' }, async (request, reply) => {
    if (expected) {
      const presented = presentedCredential(request.headers);
      if (!presented || !digestsEqual(keyDigest(presented), expected)) {
        request.log.warn('a /metrics scrape without the metrics token was refused');
        throw new AuthenticationError(
          'Scraping /metrics needs the metrics token: send Authorization: Bearer <metricsToken> (Prometheus: `authorization: { credentials_file: ... }`); see docs/metrics.md.',
          { 'www-authenticate': 'Bearer realm="metrics"' },
        );
      }
    }
    const body = await deps.scrape();
    return reply.type(Registry.PROMETHEUS_CONTENT_TYPE).send(body);
  });
}
