// `GET /api/v1/whoami`: who a credential authenticates as — the first thing to try with a new key.
import type { FastifyInstance } from 'fastify';
import { AuthenticationError } from '../../core/errors/app-error.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import type { CredentialAuthenticator } from '../keys/keys-service.ts';

export function identityRoutes(app: FastifyInstance, deps: { credentials: CredentialAuthenticator }): void {
  app.get('/api/v1/whoami', async (request) => {
    const credential = presentedCredential(request.headers);
    if (!credential) throw new AuthenticationError();
    const who = await deps.credentials.authenticate(credential);
    const { profile } = who;
    return {
      tenant: who.tenantId,
      principal: who.principal,
      key_id: who.keyId,
      roles: profile.roles,
      team: profile.teamId,
      ...('groups' in profile ? { groups: profile.groups, business_unit: profile.businessUnitId } : {}),
    };
  });
}
