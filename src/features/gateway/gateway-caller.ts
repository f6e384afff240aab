// Who is calling the gateway, and the policy their tenant is under: every gateway route starts here.

import type { IncomingHttpHeaders } from 'node:http';
import type { MainConfig, PolicyConfig } from '../../config/policy-config.ts';
import { AppError, AuthenticationError } from '../../core/errors/app-error.ts';
import { type ModelSubject, modelAccess } from '../../core/models/model-access.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import { tenantConfig } from '../bundles/tenant-config.ts';
import type { AuthenticatedKey, CredentialAuthenticator } from '../keys/keys-service.ts';

export interface Caller {
  who: AuthenticatedKey;
  content: PolicyConfig;
  /** The tenant's effective config.yaml. */
  config: MainConfig;
}

export async function resolveCaller(
  deps: { credentials: CredentialAuthenticator; bundle: ActiveBundle },
  headers: IncomingHttpHeaders,
): Promise<Caller> {
  const credential = presentedCredential(headers);
  if (!credential) {
    throw new AuthenticationError(
      'No credential was sent: set ANTHROPIC_API_KEY (x-api-key) or ANTHROPIC_AUTH_TOKEN (Bearer) to your LLM-RULES key.',
    );
  }
  const who = await deps.credentials.authenticate(credential);
  const caller = callerUnder(deps.bundle, who);
  if (!caller) {
    throw new AppError(
      503,
      'api_error',
      `No policy is active for tenant '${who.tenantId}'; the gateway forwards nothing until one is applied.`,
    );
  }
  return caller;
}

/** The caller under the active bundle; undefined when no policy is active for their tenant. */
function callerUnder(bundle: ActiveBundle, who: AuthenticatedKey): Caller | undefined {
  const loaded = bundle.current();
  const config = loaded ? tenantConfig(loaded.content, who.tenantId) : undefined;
  return loaded && config ? { who, content: loaded.content, config } : undefined;
}

/**
 * The caller without waiting, when their credential was verified moments ago (nearly every request of a
 * session); undefined leaves it to resolveCaller, which also gives every refusal.
 */
export function resolveCallerNow(
  deps: { credentials: CredentialAuthenticator; bundle: ActiveBundle },
  headers: IncomingHttpHeaders,
): Caller | undefined {
  const credential = deps.credentials.authenticateNow && presentedCredential(headers);
  const who = credential ? deps.credentials.authenticateNow?.(credential) : undefined;
  return who && callerUnder(deps.bundle, who);
}

/** The gateway protocol's answer to a model outside the caller's allowlist: 400 invalid_request_error. */
export function refuseDeniedModel(caller: Caller, model: string): void {
  const access = modelAccess(caller.config.gateway.models, modelSubject(caller.who), model);
  if (!access.allowed) {
    throw new AppError(400, 'invalid_request_error', `The model "${model}" is ${access.reason}.`, {
      field: 'model',
    });
  }
}

/** Who the caller is for the model rules (gateway.models). */
export function modelSubject(who: AuthenticatedKey): ModelSubject {
  const profile = who.profile;
  return {
    businessUnitId: 'businessUnitId' in profile ? profile.businessUnitId : null,
    teamId: profile.teamId,
    userScope: who.principal.type === 'user' ? `user:${who.principal.id}` : null,
    groups: 'groups' in profile ? profile.groups : [],
  };
}
