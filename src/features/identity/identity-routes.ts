// `GET /api/v1/whoami`: who a credential authenticates as — the first thing to try with a new key.
import type { FastifyInstance } from 'fastify';
import { AuthenticationError } from '../../core/errors/app-error.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import type { Storage } from '../../storage/ports.ts';
import type { KeysService } from '../keys/keys-service.ts';

export function identityRoutes(app: FastifyInstance, deps: { keys: KeysService; storage: Storage }): void {
  app.get('/api/v1/whoami', async (request) => {
    const credential = presentedCredential(request.headers);
    if (!credential) throw new AuthenticationError();
    const who = await deps.keys.authenticate(credential);
    if (who.principal.type === 'user') {
      const user = await deps.storage.org.getUser(who.tenantId, who.principal.id);
      return {
        tenant: who.tenantId,
        principal: who.principal,
        key_id: who.keyId,
        roles: user?.roles ?? [],
        groups: user?.groups ?? [],
        team: user?.teamId ?? null,
        business_unit: user?.businessUnitId ?? null,
      };
    }
    const account = await deps.storage.org.getServiceAccount(who.tenantId, who.principal.id);
    return {
      tenant: who.tenantId,
      principal: who.principal,
      key_id: who.keyId,
      roles: account?.roles ?? [],
      team: account?.teamId ?? null,
    };
  });
}
