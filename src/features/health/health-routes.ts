// Liveness (`/healthz`: the process answers) and readiness (`/readyz`: storage reachable and a
// policy bundle in force, with its revision) for load balancers and orchestrators.
import type { FastifyInstance } from 'fastify';
import type { Storage } from '../../storage/ports.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';

export function healthRoutes(
  app: FastifyInstance,
  deps: {
    storage: Storage;
    bundle: ActiveBundle;
    version: string;
    /** The gateway's upstreams and their circuit breakers: reported, not a readiness condition. */
    upstreams?: () => unknown[];
  },
): void {
  app.get('/healthz', async () => ({ status: 'ok', version: deps.version }));

  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    try {
      await deps.storage.ping();
      checks.storage = 'ok';
    } catch {
      checks.storage = 'unreachable';
      ready = false;
    }
    const loaded = deps.bundle.current();
    checks.bundle = loaded ? 'ok' : 'no active bundle (run `llm-rules apply DIR`)';
    if (!loaded) ready = false;
    reply.status(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'not_ready',
      storage: deps.storage.dialect,
      bundle: loaded ? { revision: loaded.revision, loaded_at: loaded.loadedAt.toISOString() } : null,
      checks,
      ...(deps.upstreams ? { upstreams: deps.upstreams() } : {}),
    };
  });
}
