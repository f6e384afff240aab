// `POST /v1/decide`: the hook's tool decision as plain JSON, for other clients and the console.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../core/errors/app-error.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import type { HooksService } from './hooks-service.ts';

const decideRequestSchema = z.strictObject({
  tool_name: z.string().min(1).max(256),
  tool_input: z.record(z.string(), z.unknown()).default({}),
  cwd: z.string().min(1).max(4096),
  agent: z.string().min(1).max(256).optional(),
  session_id: z.string().min(1).max(200).optional(),
});

export function decideRoutes(app: FastifyInstance, deps: { hooks: HooksService }): void {
  app.post('/v1/decide', async (request) => {
    const parsed = decideRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field =
        issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.') || '(body)';
      throw new ValidationError(`${field}: ${issue.message}`, { field });
    }
    const body = parsed.data;
    const decision = await deps.hooks.decideTool(presentedCredential(request.headers), {
      hook_event_name: 'Decide',
      session_id: body.session_id ?? `api-${randomUUID()}`,
      cwd: body.cwd,
      tool_name: body.tool_name,
      tool_input: body.tool_input,
      ...(body.agent ? { agent_type: body.agent } : {}),
    });
    return {
      outcome: decision.outcome,
      reason: decision.reason,
      matched_rules: decision.matchedRules,
      revision: decision.revision,
    };
  });
}
