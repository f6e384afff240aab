// Who is calling the admin API, and what they may do: an API key with an admin scope (`admin:read`, or
// `admin:write` for changes) of an active principal, or a person's console session (console-auth), whose permissions come from the roles the active
// bundle gives them (core/authz/admin-grants.ts), checked at the node each route acts on.
import type { FastifyRequest } from 'fastify';
import type { OrgConfig, OrgRef, PolicyConfig } from '../../config/policy-config.ts';
import { formatOrgRef } from '../../config/schema/common-schemas.ts';
import {
  type AdminSubject,
  adminGrants,
  covers,
  type Grant,
  pathTo,
  permits,
} from '../../core/authz/admin-grants.ts';
import { AppError, AuthenticationError, PermissionError } from '../../core/errors/app-error.ts';
import { tenantOrg } from '../../core/policy/tenant-org.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import type { AuthenticatedKey, CredentialAuthenticator } from '../keys/keys-service.ts';

export interface AdminCaller {
  tenantId: string;
  who: AuthenticatedKey;
  content: PolicyConfig;
  org: OrgConfig;
  grants: Grant[];
  /** `user:ada@acme.test` or `service:ci`, as audit events name them. */
  actor: string;
  /** How the caller authenticated: an admin-scoped API key, or a console session. */
  via: 'api_key' | 'console';
}

/**
 * A browser session (the console's cookie), as the admin API sees it: the caller, or undefined when the
 * request carries no session. Implemented by console-auth, which also checks CSRF on changes.
 */
export interface BrowserSessions {
  adminCaller(request: FastifyRequest, write: boolean): Promise<AdminCaller | undefined>;
}

export interface AdminAuthDeps {
  credentials: CredentialAuthenticator;
  bundle: ActiveBundle;
  browserSessions?: BrowserSessions | undefined;
}

export async function authenticateAdmin(
  deps: AdminAuthDeps,
  request: FastifyRequest,
  write: boolean,
): Promise<AdminCaller> {
  const credential = presentedCredential(request.headers);
  if (!credential) {
    const fromBrowser = await deps.browserSessions?.adminCaller(request, write);
    if (fromBrowser) return fromBrowser;
    throw new AuthenticationError(
      'The admin API needs an API key with an admin scope (llm-rules keys create --scope admin:read), or a console session.',
    );
  }
  const who = await deps.credentials.authenticate(credential);
  const scopes = who.scopes ?? [];
  if (!scopes.includes('admin:read') && !scopes.includes('admin:write')) {
    throw new PermissionError(
      'This credential has no admin scope; create a key with --scope admin:read or --scope admin:write.',
      { scope: 'admin:read' },
    );
  }
  if (write && !scopes.includes('admin:write')) {
    throw new PermissionError(
      'This change needs a key with the admin:write scope; this one has admin:read only.',
      { scope: 'admin:write' },
    );
  }
  return adminCallerFor(who, deps.bundle);
}

/** A principal of the org as an admin caller: the grants its roles give it in the active bundle. */
export function adminCallerFor(
  who: AuthenticatedKey,
  bundle: ActiveBundle,
  via: AdminCaller['via'] = 'api_key',
): AdminCaller {
  const { loaded, org } = activeOrg(bundle, who.tenantId);
  const profile = who.profile;
  const subject: AdminSubject = {
    type: who.principal.type,
    id: who.principal.id,
    roles: profile.roles,
    groups: 'groups' in profile ? profile.groups : [],
    teamId: profile.teamId,
  };
  return {
    tenantId: who.tenantId,
    who,
    content: loaded.content,
    org,
    grants: adminGrants(org, loaded.content.roles, subject),
    actor: who.principal.type === 'user' ? who.principal.id : `service:${who.principal.id}`,
    via,
  };
}

/** The active bundle and the tenant's org in it; 503 when no policy is active for the tenant. */
export function activeOrg(bundle: ActiveBundle, tenantId: string) {
  const loaded = bundle.current();
  const org = loaded && tenantOrg(loaded.content, tenantId);
  if (!loaded || !org) throw new AppError(503, 'api_error', `No policy is active for tenant '${tenantId}'.`);
  return { loaded, org };
}

/** The permission at the node (or, for `anywhere`, at some node: lists the handler then filters). */
export function authorizeAdmin(caller: AdminCaller, permission: string, target: OrgRef | 'anywhere'): void {
  if (target === 'anywhere') {
    if (caller.grants.some((g) => covers(g.permission, permission))) return;
    throw new PermissionError(`${caller.actor} lacks ${permission} anywhere (permissions.yaml roles).`, {
      permission,
    });
  }
  if (permits(caller.grants, permission, pathTo(caller.org, target))) return;
  throw new PermissionError(
    `${caller.actor} lacks ${permission} at ${formatOrgRef(target)} (permissions.yaml roles bound there or above).`,
    { permission, at: formatOrgRef(target) },
  );
}
