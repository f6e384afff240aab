// Admin API: policy bundles. A bundle governs every tenant of the deployment, so these routes answer
// only principals of the root tenant (the config repository's own), with config:read or config:write
// there: the history and the candidate; plan and apply of a `.claude/` directory sent as files (active
// at once, or tried as a shadow or canary candidate, exactly as `llm-rules plan|apply` do); promote and
// rollback. A pipeline that reviews the config repository can deploy through here instead of the CLI.
import { z } from 'zod';
import { PermissionError, ValidationError } from '../../core/errors/app-error.ts';
import { BundlesService } from '../bundles/bundles-service.ts';
import { RolloutService } from '../bundles/rollout-service.ts';
import type { AdminCaller } from './admin-caller.ts';
import type { AdminDeps } from './admin-deps.ts';
import { adminRoute } from './admin-route.ts';
import { withUploadedConfig } from './uploaded-config.ts';

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
const files = z
  .record(z.string(), z.string())
  .describe('the .claude/ directory: relative path → file content');
const planView = z.object({
  revision: z.string(),
  active_revision: z.string().nullable(),
  added: z.number(),
  changed: z.number(),
  removed: z.number(),
  changes: z.array(
    z.object({
      kind: z.enum(['added', 'removed', 'changed']),
      section: z.string(),
      id: z.string(),
      fields: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
    }),
  ),
});
const MAX_FIELDS_SHOWN = 50;

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
    adminRoute({
      method: 'POST',
      path: '/api/v1/bundles/plan',
      summary: 'What applying a .claude/ directory would change, entity by entity and field by field',
      tag: 'bundles',
      permission: 'config:read',
      body: z.object({ files }),
      response: planView,
      responses: { 422: 'the configuration has errors: details.problems names each file, line and field' },
      async handle({ caller, body }) {
        rootOnly(caller);
        const planned = await withUploadedConfig(body.files, (dir) =>
          new BundlesService(deps.storage, deps.clock).plan(dir, deps.env),
        );
        return {
          revision: planned.revision,
          active_revision: planned.activeRevision,
          added: planned.plan.added,
          changed: planned.plan.changed,
          removed: planned.plan.removed,
          changes: planned.plan.changes.map((c) => ({ ...c, fields: c.fields.slice(0, MAX_FIELDS_SHOWN) })),
        };
      },
    }),
    adminRoute({
      method: 'POST',
      path: '/api/v1/bundles/apply',
      summary: 'Stores a .claude/ directory as a bundle: active at once, or a shadow or canary candidate',
      tag: 'bundles',
      permission: 'config:write',
      body: z.object({
        files,
        mode: z.enum(['active', 'shadow', 'canary']).default('active'),
        percent: z.number().int().min(1).max(100).optional().describe('canary: the share of users, 1-100'),
      }),
      response: standing.extend({ revision: z.string(), changed: z.boolean() }),
      responses: { 422: 'the configuration has errors: details.problems names each file, line and field' },
      async handle({ caller, body }) {
        rootOnly(caller);
        if (body.mode === 'canary' && body.percent === undefined) {
          throw new ValidationError('body.percent: a canary needs the share of users, 1-100', {
            field: 'body.percent',
          });
        }
        const before = await now();
        const result = await withUploadedConfig(body.files, async (dir) => {
          if (body.mode === 'active') {
            const applied = await new BundlesService(deps.storage, deps.clock).apply(
              dir,
              deps.env,
              caller.actor,
            );
            return { revision: applied.revision, changed: applied.changed };
          }
          const tried = await new RolloutService(deps.storage, deps.clock).try(
            dir,
            deps.env,
            caller.actor,
            body.mode,
            body.percent ?? 0,
          );
          return { revision: tried.revision, changed: true };
        });
        await deps.bundle.refresh();
        const after = await now();
        return {
          answer: { ...after, ...result },
          action: `bundle_apply_${body.mode}`,
          target: `bundle:${result.revision}`,
          before,
          after,
          created: result.changed,
        };
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
