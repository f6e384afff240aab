// Admin API: decision simulation — what the policy in force (and the candidate, if one is being tried)
// decides for a given developer's tool call, without any hook, session or audit record.
import { z } from 'zod';
import { NotFoundError } from '../../core/errors/app-error.ts';
import { decide } from '../../core/policy/decide.ts';
import type { PolicyPrincipal } from '../../core/policy/types.ts';
import type { AdminDeps } from './admin-deps.ts';
import { tenantParams } from './admin-org-routes.ts';
import { adminRoute } from './admin-route.ts';

const decisionView = z.object({
  outcome: z.enum(['allow', 'deny', 'ask', 'defer']),
  reason: z.string(),
  matched_rules: z.array(z.string()),
  revision: z.string(),
});

export function decisionsRoutes(deps: AdminDeps) {
  return [
    adminRoute({
      method: 'POST',
      path: '/api/v1/tenants/{tenant}/decisions/simulate',
      summary: 'The decision for one tool call of a developer, by the active bundle and the candidate',
      tag: 'policy',
      permission: 'policy:read',
      params: tenantParams,
      body: z.object({
        user: z.email(),
        agent: z.string().min(1).optional(),
        tool_name: z.string().min(1),
        tool_input: z.record(z.string(), z.unknown()),
        cwd: z.string().min(1).default('/'),
      }),
      response: z.object({
        active: decisionView,
        candidate: decisionView.extend({ mode: z.string() }).nullable(),
      }),
      target: ({ body }) => ({ level: 'user', id: body.user.toLowerCase() }),
      async handle({ tenantId, body }) {
        const user = await deps.storage.org.getUser(tenantId, body.user.toLowerCase());
        if (!user || user.deprovisionedAt) throw new NotFoundError('active user', body.user);
        const principal: PolicyPrincipal = {
          tenantId,
          userId: user.id,
          roles: user.roles,
          groups: user.groups,
          businessUnitId: user.businessUnitId,
          teamId: user.teamId,
        };
        const input = {
          principal,
          ...(body.agent ? { agent: body.agent } : {}),
          toolName: body.tool_name,
          toolInput: body.tool_input,
          cwd: body.cwd,
        };
        const view = (d: ReturnType<typeof decide>) => ({
          outcome: d.outcome,
          reason: d.reason,
          matched_rules: d.matchedRules,
          revision: d.revision,
        });
        const active = deps.policies.current();
        if (!active) throw new NotFoundError('active bundle', tenantId);
        const candidate = deps.policies.candidate();
        return {
          active: view(decide(active, input)),
          candidate: candidate ? { ...view(decide(candidate.policy, input)), mode: candidate.mode } : null,
        };
      },
    }),
  ];
}
