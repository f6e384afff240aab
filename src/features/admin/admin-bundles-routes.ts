// Admin API: policy bundles. A bundle governs every tenant of the deployment, so these routes answer
// only principals of the root tenant (the config repository's own), with config:read or config:write
// there. Applying new content stays with `llm-rules apply` from the config repository (reviewed as code);
// the API shows the history and the candidate, and promotes or rolls back.
import { z } from 'zod';
import { PermissionError } from '../../core/errors/app-error.ts';
import { RolloutService } from '../bundles/rollout-service.ts';
import type { AdminCaller } from './admin-caller.ts';
import type { AdminDeps } from './admin-deps.ts';
import { adminRoute } from './admin-route.ts';

const activation = z.object({
  revision: z.string(),
  previous_revision: z.string().nullable(),
  applied_by: z.string(),
  applied_at: z.string(),
});
const candidate = z
  .object({
    revision: z.string(),
    mode: z.enum(['shadow', 'canary']),
    percent: z.number(),
    set_by: z.string(),
    set_at: z.string(),
  })
  .nullable();
const standing = z.object({ active: z.string().nullable(), candidate });

function rootOnly(caller: AdminCaller): void {
  if (caller.tenantId !== caller.content.org.tenant.id) {
    throw new PermissionError(
      'Bundles govern every tenant: only the root tenant’s administrators manage them.',
      {
        tenant: caller.tenantId,
      },
    );
  }
}

export function bundlesRoutes(deps: AdminDeps) {
  const now = async () => {
    const [active, current] = await Promise.all([
      deps.storage.bundles.activeRevision(),
      deps.storage.bundles.candidate(),
    ]);
    return {
      active,
      candidate: current && {
        revision: current.revision,
        mode: current.mode,
        percent: current.percent,
        set_by: current.setBy,
        set_at: current.setAt.toISOString(),
      },
    };
  };
  return [
    adminRoute({
      method: 'GET',
      path: '/api/v1/bundles',
      summary: 'Activations, newest first',
      tag: 'bundles',
      permission: 'config:read',
      query: z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(50) }),
      response: z.array(activation),
      async handle({ caller, query }) {
        rootOnly(caller);
        return (await deps.storage.bundles.history(query.limit)).map((a) => ({
          revision: a.revision,
          previous_revision: a.previousRevision,
          applied_by: a.appliedBy,
          applied_at: a.appliedAt.toISOString(),
        }));
      },
    }),
    adminRoute({
      method: 'GET',
      path: '/api/v1/bundles/current',
      summary: 'The active revision and the candidate (shadow or canary), if any',
      tag: 'bundles',
      permission: 'config:read',
      response: standing,
      async handle({ caller }) {
        rootOnly(caller);
        return now();
      },
    }),
    ...(['promote', 'rollback'] as const).map((verb) =>
      adminRoute({
        method: 'POST',
        path: `/api/v1/bundles/${verb}`,
        summary:
          verb === 'promote'
            ? 'Makes the candidate the active bundle'
            : 'Drops the candidate, or re-activates the bundle before the active one',
        tag: 'bundles',
        permission: 'config:write',
        response: standing,
        async handle({ caller }) {
          rootOnly(caller);
          const before = await now();
          const rollout = new RolloutService(deps.storage, deps.clock);
          if (verb === 'promote') await rollout.promote(caller.actor);
          else await rollout.rollback(caller.actor);
          await deps.bundle.refresh();
          const after = await now();
          return { answer: after, action: `bundle_${verb}`, target: 'bundles', before, after };
        },
      }),
    ),
  ];
}
