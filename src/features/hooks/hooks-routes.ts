// `POST /v1/hooks/claude-code`: every Claude Code hook event, answered in Claude Code's format.
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../core/errors/app-error.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import { publicOrigin } from '../../http/public-origin.ts';
import { projectFromHeaders } from '../rules/project-report.ts';
import { hookInputSchema } from './hook-input.ts';
import { HOOK_PATH } from './hook-path.ts';
import type { HooksService } from './hooks-service.ts';

export interface HooksRoutesDeps {
  hooks: HooksService;
  publicUrl?: string | undefined;
  tls?: boolean;
}

export function hooksRoutes(app: FastifyInstance, deps: HooksRoutesDeps): void {
  app.post(HOOK_PATH, async (request) => {
    const parsed = hookInputSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || '(body)';
      throw new ValidationError(`Hook event field ${field}: ${issue.message}`, { field });
    }
    const input = parsed.data;
    const event = input.hook_event_name;
    // Only starts receive rules (which name this server's URL), and only a session's start reports its
    // project (see connect/session-start-command.ts); tool calls, the hot path, need neither.
    if (event !== 'SessionStart' && event !== 'SubagentStart')
      return deps.hooks.handle(presentedCredential(request.headers), input);
    const project = event === 'SessionStart' ? projectFromHeaders(request.headers) : undefined;
    return deps.hooks.handle(presentedCredential(request.headers), input, {
      ...(project ? { project } : {}),
      serverUrl: publicOrigin(request, { publicUrl: deps.publicUrl, tls: deps.tls ?? false }),
    });
  });
}
