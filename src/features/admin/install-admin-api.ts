// The admin API under /api/v1/: every route declared in one list (for the OpenAPI document too), each
// authenticated by an admin-scoped key or a console session, authorized by permissions.yaml roles at its node, and recorded.

import type { FastifyInstance } from 'fastify';
import { analyticsRoutes } from '../analytics/analytics-routes.ts';
import { auditRoutes } from './admin-audit-routes.ts';
import { budgetsRoutes } from './admin-budgets-routes.ts';
import { bundlesRoutes } from './admin-bundles-routes.ts';
import { type AdminAuthDeps, authenticateAdmin, authorizeAdmin } from './admin-caller.ts';
import { decisionsRoutes } from './admin-decisions-routes.ts';
import type { AdminDeps } from './admin-deps.ts';
import { keysRoutes } from './admin-keys-routes.ts';
import { adminOpenApi } from './admin-openapi.ts';
import { orgRoutes } from './admin-org-routes.ts';
import { type AnyAdminRoute, registerAdminRoutes } from './admin-route.ts';

export function adminRoutesOf(deps: AdminDeps): AnyAdminRoute[] {
  return [
    ...orgRoutes(deps),
    ...keysRoutes(deps),
    ...budgetsRoutes(deps),
    ...bundlesRoutes(deps),
    ...decisionsRoutes(deps),
    ...auditRoutes(deps),
    ...analyticsRoutes(deps),
  ];
}

export function installAdminApi(app: FastifyInstance, deps: AdminDeps & AdminAuthDeps): AnyAdminRoute[] {
  const routes = adminRoutesOf(deps);
  registerAdminRoutes(app, routes, {
    authenticate: (request, write) => authenticateAdmin(deps, request, write),
    authorize: authorizeAdmin,
    async record(caller, change) {
      await deps.audit.record(caller.tenantId, {
        event: 'admin_action',
        user: caller.actor,
        context: {
          action: change.action,
          target: change.target,
          via: caller.via,
          before: toJson(change.before),
          after: toJson(change.after),
        },
      });
    },
  });
  const document = adminOpenApi(routes);
  app.get('/api/v1/openapi.json', async () => document);
  return routes;
}

/** Audit context is JSON: dates as ISO strings, undefined dropped. */
function toJson(value: unknown) {
  return JSON.parse(JSON.stringify(value ?? null));
}
