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
    const profile =
      who.principal.type === 'user'
        ? await deps.storage.org.getUser(who.tenantId, who.principal.id)
        : await deps.storage.org.getServiceAccount(who.tenantId, who.principal.id);
    return {
      tenant: who.tenantId,
      principal: who.principal,
      key_id: who.keyId,
      roles: profile?.roles ?? [],
      team: profile?.teamId ?? null,
      ...(profile && 'businessUnitId' in profile ? { business_unit: profile.businessUnitId, groups: profile.groups } : {}),
    };
  });
}
