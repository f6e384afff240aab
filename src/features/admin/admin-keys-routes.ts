// Admin API: API keys. A key is made or revoked at its owner's node (their team, or the tenant); its
// plaintext is in the creation answer only. An admin-scoped key can only be made for oneself: a key
// acts with its owner's roles, so minting one for someone else would borrow their powers.
import { z } from 'zod';
import type { OrgRef } from '../../config/policy-config.ts';
import { NotFoundError, PermissionError, ValidationError } from '../../core/errors/app-error.ts';
import type { ApiKeyRecord, PrincipalRef } from '../../storage/ports.ts';
import { KEY_SCOPES } from '../keys/keys-service.ts';
import type { AdminCaller } from './admin-caller.ts';
import type { AdminDeps } from './admin-deps.ts';
import { tenantParams } from './admin-org-routes.ts';
import { adminRoute } from './admin-route.ts';

const keyView = z.object({
  id: z.string(),
  principal: z.object({ type: z.enum(['user', 'service_account']), id: z.string() }),
  name: z.string().nullable(),
  scopes: z.array(z.string()),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

const view = (k: ApiKeyRecord): z.infer<typeof keyView> => ({
  id: k.id,
  principal: k.principal,
  name: k.name,
  scopes: k.scopes,
  created_at: k.createdAt.toISOString(),
  expires_at: k.expiresAt?.toISOString() ?? null,
  last_used_at: k.lastUsedAt?.toISOString() ?? null,
  revoked_at: k.revokedAt?.toISOString() ?? null,
});

const createBody = z
  .object({
    user: z.email().optional(),
    service: z.string().min(1).optional(),
    name: z.string().min(1).max(100).optional(),
    expires_in_days: z.int().min(1).max(3650).optional(),
    scopes: z.array(z.enum(KEY_SCOPES)).default([]),
  })
  .refine((b) => Boolean(b.user) !== Boolean(b.service), {
    message: 'give exactly one of user or service',
    path: ['user'],
  });

/** Where a principal sits: a user's node, a service account's team (else the tenant). */
function nodeOf(caller: AdminCaller, principal: PrincipalRef): OrgRef {
  if (principal.type === 'user') return { level: 'user', id: principal.id };
  const team = caller.org.service_accounts.find((s) => s.id === principal.id)?.team;
  return team ? { level: 'team', id: team } : { level: 'tenant' };
}

export function keysRoutes(deps: AdminDeps) {
  const owned = async (tenantId: string, id: string) => {
    const key = await deps.storage.apiKeys.get(tenantId, id);
    if (!key) throw new NotFoundError('key', id);
    return key;
  };
  return [
    adminRoute({
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/keys',
      summary: 'API keys (never their secret), oldest first',
      tag: 'keys',
      permission: 'keys:read',
      params: tenantParams,
      response: z.array(keyView),
      async handle({ tenantId }) {
        return (await deps.keys.list(tenantId)).map(view);
      },
    }),
    adminRoute({
      method: 'POST',
      path: '/api/v1/tenants/{tenant}/keys',
      summary: 'Issues a key for a user or service account; the answer holds its plaintext, once',
      tag: 'keys',
      permission: 'keys:write',
      params: tenantParams,
      body: createBody,
      response: z.object({ key: z.string(), record: keyView }),
      target: ({ caller, body }) =>
        nodeOf(
          caller,
          body.user
            ? { type: 'user', id: body.user.toLowerCase() }
            : { type: 'service_account', id: body.service! },
        ),
      async handle({ caller, tenantId, body }) {
        const principal: PrincipalRef = body.user
          ? { type: 'user', id: body.user.toLowerCase() }
          : { type: 'service_account', id: body.service! };
        const self = principal.type === caller.who.principal.type && principal.id === caller.who.principal.id;
        if (body.scopes.length > 0 && !self) {
          throw new PermissionError('An admin-scoped key can only be made for oneself.', { field: 'scopes' });
        }
        const issued = await deps.keys.create({
          tenantId,
          principal,
          ...(body.name ? { name: body.name } : {}),
          ...(body.expires_in_days ? { ttlMs: body.expires_in_days * 86_400_000 } : {}),
          scopes: body.scopes,
          by: caller.actor,
        });
        return {
          answer: { key: issued.plaintext, record: view(issued.record) },
          action: 'key_created',
          target: `key:${issued.record.id}`,
          before: null,
          after: view(issued.record),
          created: true,
        };
      },
    }),
    adminRoute({
      method: 'DELETE',
      path: '/api/v1/tenants/{tenant}/keys/{id}',
      summary: 'Revokes a key at once',
      tag: 'keys',
      permission: 'keys:write',
      params: tenantParams.extend({ id: z.string().min(1) }),
      response: keyView,
      target: async ({ caller, tenantId, params }) =>
        nodeOf(caller, (await owned(tenantId, params.id)).principal),
      async handle({ caller, tenantId, params }) {
        const before = await owned(tenantId, params.id);
        if (before.revokedAt)
          throw new ValidationError(`Key ${params.id} is already revoked.`, { field: 'id' });
        await deps.keys.revoke(tenantId, params.id, caller.actor);
        const after = view(await owned(tenantId, params.id));
        return {
          answer: after,
          action: 'key_revoked',
          target: `key:${params.id}`,
          before: view(before),
          after,
        };
      },
    }),
  ];
}
