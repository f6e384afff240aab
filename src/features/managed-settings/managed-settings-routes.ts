// `GET /managed/settings`: the signed-in developer's Claude Code managed settings, in the gateway
// protocol's wrapper `{uuid, checksum, settings}`. The checksum is the protocol's (`sha256:` over the
// settings with sorted keys), sent quoted as the ETag; a request whose `If-None-Match` names it gets 304
// (only then: the client counts an unasked 304 as a failed fetch); `If-None-Match: *` is answered as
// if absent. Claude Code polls about once an hour.

import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors/app-error.ts';
import { publicOrigin } from '../../http/public-origin.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import { modelSubject, resolveCaller } from '../gateway/gateway-caller.ts';
import type { CredentialAuthenticator } from '../keys/keys-service.ts';
import type { HookCredentials } from '../sign-in/hook-credentials.ts';
import { settingsChecksum, userManagedSettings } from './user-settings.ts';

export interface ManagedSettingsDeps {
  credentials: CredentialAuthenticator;
  bundle: ActiveBundle;
  /** Undefined without a master key: no hook credential can be issued, so no settings are served. */
  hookCredentials: HookCredentials | undefined;
  publicUrl: string | undefined;
  tls: boolean;
  /** Told of every document served, so the checksums machines report can be judged (machines --stale). */
  onServed?: (served: { tenantId: string; userId: string; checksum: string; at: Date }) => void;
}

export function managedSettingsRoutes(app: FastifyInstance, deps: ManagedSettingsDeps): void {
  app.get('/managed/settings', async (request, reply) => {
    const caller = await resolveCaller(deps, request.headers);
    if (!deps.hookCredentials) {
      throw new AppError(
        404,
        'not_found_error',
        'This server serves no managed settings: it has no master key (set LLM_RULES_MASTER_KEY).',
      );
    }
    const { who } = caller;
    const serverUrl = publicOrigin(request, deps);
    const settings = userManagedSettings({
      content: caller.content,
      tenantId: who.tenantId,
      models: modelSubject(who),
      serverUrl,
      hookCredential: deps.hookCredentials.issue({ tenantId: who.tenantId, userId: who.principal.id }),
    });
    const checksum = settingsChecksum(settings);
    deps.onServed?.({ tenantId: who.tenantId, userId: who.principal.id, checksum, at: new Date() });
    const etag = `"${checksum}"`;
    if (namesChecksum(request.headers['if-none-match'], checksum)) {
      return reply.status(304).header('etag', etag).send();
    }
    return reply
      .header('etag', etag)
      .send({ uuid: documentId(who.tenantId, who.principal.id, checksum), checksum, settings });
  });
}

function namesChecksum(header: string | undefined, checksum: string): boolean {
  if (!header || header.trim() === '*') return false;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '') === checksum);
}

/** A stable id for one version of one developer's settings, shaped as a UUID. */
function documentId(tenantId: string, userId: string, checksum: string): string {
  const hex = createHash('sha256').update(`${tenantId}\u0000${userId}\u0000${checksum}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
