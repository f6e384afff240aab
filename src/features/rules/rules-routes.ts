// `GET /v1/rules/{id}`: one rule of the caller's tenant in full, as markdown, for the rules that did not
// fit a session's start (the session's context names this URL). Same credentials as the hooks.

import type { FastifyInstance } from 'fastify';
import { AuthenticationError, NotFoundError } from '../../core/errors/app-error.ts';
import { rulesForTenant } from '../../core/rules/select-rules.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import type { CredentialAuthenticator } from '../keys/keys-service.ts';

export function rulesRoutes(
  app: FastifyInstance,
  deps: { credentials: CredentialAuthenticator; bundle: ActiveBundle },
): void {
  app.get<{ Params: { id: string } }>('/v1/rules/:id', async (request, reply) => {
    const credential = presentedCredential(request.headers);
    if (!credential) throw new AuthenticationError('No LLM-RULES token was sent (Authorization: Bearer …).');
    const who = await deps.credentials.authenticate(credential);
    const loaded = deps.bundle.current();
    const rule = loaded
      ? rulesForTenant(loaded.content, who.tenantId).find((r) => r.id === request.params.id)
      : undefined;
    if (!loaded || !rule) throw new NotFoundError('rule', request.params.id, "your tenant's policy");
    reply
      .header('content-type', 'text/markdown; charset=utf-8')
      .header('x-llm-rules-bundle', loaded.revision)
      .header('cache-control', 'private, no-store');
    return rule.body;
  });
}
