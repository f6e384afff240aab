// Admin API: the tenant and its org tree, its users and its groups.
import { z } from 'zod';
import type { AdminDeps } from './admin-deps.ts';
import { adminRoute } from './admin-route.ts';

const tenantParams = z.object({ tenant: z.string().min(1) });

const orgTree = z.object({
  id: z.string(),
  name: z.string(),
  business_units: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      teams: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  ),
});

const user = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  team: z.string().nullable(),
  business_unit: z.string().nullable(),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  deprovisioned_at: z.string().nullable(),
});

const group = z.object({
  id: z.string(),
  name: z.string().nullable(),
  idp_group: z.string(),
  roles: z.array(z.string()),
});

export function orgRoutes(deps: AdminDeps) {
  return [
    adminRoute({
      method: 'GET',
      path: '/api/v1/tenants/{tenant}',
      summary: 'The tenant and its org tree (business units and teams)',
      tag: 'org',
      permission: 'config:read',
      params: tenantParams,
      response: orgTree,
      async handle({ tenantId }) {
        const [tenant, units, teams] = await Promise.all([
          deps.storage.org.getTenant(tenantId),
          deps.storage.org.listBusinessUnits(tenantId),
          deps.storage.org.listTeams(tenantId),
        ]);
        return {
          id: tenantId,
          name: tenant?.name ?? tenantId,
          business_units: units.map((bu) => ({
            id: bu.id,
            name: bu.name,
            teams: teams.filter((t) => t.businessUnitId === bu.id).map((t) => ({ id: t.id, name: t.name })),
          })),
        };
      },
    }),
    adminRoute({
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/users',
      summary: 'Users, with their team, roles and groups; deprovisioned ones say when',
      tag: 'org',
      // The org is config: who may read the config may read who is in it.
      permission: 'config:read',
      params: tenantParams,
      response: z.array(user),
      async handle({ tenantId }) {
        return (await deps.storage.org.listUsers(tenantId)).map((u) => ({
          id: u.id,
          email: u.email,
          name: u.name,
          team: u.teamId,
          business_unit: u.businessUnitId,
          roles: u.roles,
          groups: u.groups,
          deprovisioned_at: u.deprovisionedAt?.toISOString() ?? null,
        }));
      },
    }),
    adminRoute({
      method: 'GET',
      path: '/api/v1/tenants/{tenant}/groups',
      summary: 'IdP groups and the roles they carry',
      tag: 'org',
      permission: 'config:read',
      params: tenantParams,
      response: z.array(group),
      async handle({ tenantId }) {
        return (await deps.storage.org.listGroups(tenantId)).map((g) => ({
          id: g.id,
          name: g.name,
          idp_group: g.idpGroup,
          roles: g.roles,
        }));
      },
    }),
  ];
}

export { tenantParams };
