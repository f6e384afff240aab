// HTTP latency by route template, method and status class, for Fastify's routes and the raw ones alike.
// Observed once the response has gone (Fastify's onResponse, the raw response's close), so it adds
// nothing to the answer's latency; each series is a cell (histogram-cells.ts), found through nested maps,
// so an observation builds no label strings.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { OTHER } from './counter-cells.ts';
import { type HistogramCell, HistogramFamily } from './histogram-cells.ts';

/** Up to five minutes: a streamed gateway answer lasts as long as the model writes. */
const BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
/** Requests no route matched (404s for any URL): one series, never the raw URL. */
export const UNMATCHED_ROUTE = 'unmatched';

export class HttpMetrics {
  readonly #histogram: HistogramFamily<'route' | 'method' | 'status_class'>;
  /** route, then method, then status class (index 0 is 1xx), then cell. */
  readonly #children = new Map<string, Map<string, (HistogramCell | undefined)[]>>();

  constructor(registry: Registry) {
    this.#histogram = new HistogramFamily(registry, {
      name: 'llm_rules_http_request_duration_seconds',
      help: 'Time from request to the end of its response (a streamed answer: its last byte), by route template, method and status class.',
      labelNames: ['route', 'method', 'status_class'],
      buckets: BUCKETS_SECONDS,
    });
  }

  /** `route` is a template (`/api/v1/keys/:id`), never a URL as sent. */
  observe(route: string, method: string, statusCode: number, seconds: number): void {
    const kept = METHODS.has(method) ? method : OTHER;
    let byMethod = this.#children.get(route);
    if (!byMethod) {
      byMethod = new Map();
      this.#children.set(route, byMethod);
    }
    let byClass = byMethod.get(kept);
    if (!byClass) {
      byClass = [];
      byMethod.set(kept, byClass);
    }
    const index = Math.min(Math.max(Math.floor(statusCode / 100), 1), 5) - 1;
    let child = byClass[index];
    if (!child) {
      child = this.#histogram.cell({ route, method: kept, status_class: STATUS_CLASSES[index]! });
      byClass[index] = child;
    }
    child.observe(seconds);
  }
}

/** Observes every response: Fastify's routes by their template, the raw routes by their path. */
export function installHttpMetrics(app: FastifyInstance, metrics: HttpMetrics): void {
  // A callback hook: an async one costs a promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe(
      request.routeOptions.url ?? UNMATCHED_ROUTE,
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.rawRoutes.onResponse = (method, path, statusCode, ms) =>
    metrics.observe(path, method, statusCode, ms / 1000);
}
