// `POST /v1/hooks/claude-code`: every Claude Code hook event, answered in Claude Code's format.
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../core/errors/app-error.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import { hookInputSchema } from './hook-input.ts';
import { HOOK_PATH } from './hook-path.ts';
import type { HooksService } from './hooks-service.ts';

export function hooksRoutes(app: FastifyInstance, deps: { hooks: HooksService }): void {
  app.post(HOOK_PATH, async (request) => {
    const parsed = hookInputSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || '(body)';
      throw new ValidationError(`Hook event field ${field}: ${issue.message}`, { field });
    }
    return deps.hooks.handle(presentedCredential(request.headers), parsed.data);
  });
}
