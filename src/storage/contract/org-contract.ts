// Contract: OrgStore — sync semantics (upsert, removal, deprovisioning, counts, atomicity) and reads.

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors/app-error.ts';
import { at, type ContractContext, orgSnapshot, T0, uid } from './contract-fixtures.ts';

export function orgContract(ctx: ContractContext): void {
  describe('org', () => {
    it('creates the tenant and every org entity, listed by id', async () => {
      const org = ctx.storage().org;
      const t = uid('t');
      const result = await org.sync(t, orgSnapshot(t), T0);
      expect(result).toEqual({ usersAdded: 2, usersUpdated: 0, usersDeprovisioned: 0 });
      expect(await org.getTenant(t)).toEqual({ id: t, name: `Tenant ${t}`, createdAt: T0 });
      expect(await org.listTenants()).toContainEqual({ id: t, name: `Tenant ${t}`, createdAt: T0 });
      expect(await org.listBusinessUnits(t)).toEqual([
        { tenantId: t, id: 'bu-eng', name: 'Engineering' },
        { tenantId: t, id: 'bu-ops', name: 'Operations' },
      ]);
      expect(await org.listTeams(t)).toEqual([
        { tenantId: t, id: 'team-api', businessUnitId: 'bu-eng', name: 'API' },
        { tenantId: t, id: 'team-sre', businessUnitId: 'bu-ops', name: 'SRE' },
      ]);
      const ada = {
        tenantId: t,
        id: 'ada@example.com',
        email: 'Ada@Example.com',
        name: 'Ada',
        teamId: 'team-api',
        businessUnitId: 'bu-eng',
        roles: ['developer'],
        groups: ['eng'],
        deprovisionedAt: null,
      };
      expect(await org.getUser(t, 'ada@example.com')).toEqual(ada);
      expect((await org.listUsers(t)).map((u) => u.id)).toEqual(['ada@example.com', 'bob@example.com']);
      expect((await org.listUsers(t))[1]).toMatchObject({ name: null, teamId: null, roles: [], groups: [] });
      expect(await org.listGroups(t)).toEqual([
        { tenantId: t, id: 'eng', name: 'Engineers', idpGroup: 'okta-eng', roles: ['developer', 'reviewer'] },
      ]);
      const ci = {
        tenantId: t,
        id: 'ci-bot',
        name: 'CI',
        teamId: 'team-api',
        roles: ['ci'],
        deprovisionedAt: null,
      };
      expect(await org.getServiceAccount(t, 'ci-bot')).toEqual(ci);
      expect(await org.listServiceAccounts(t)).toEqual([ci]);
    });

    it('answers undefined or [] for unknown tenants and ids', async () => {
      const org = ctx.storage().org;
      const t = uid('t');
      expect(await org.getTenant(t)).toBeUndefined();
      expect(await org.getUser(t, 'ada@example.com')).toBeUndefined();
      expect(await org.getServiceAccount(t, 'ci-bot')).toBeUndefined();
      expect(await org.listBusinessUnits(t)).toEqual([]);
      expect(await org.listTeams(t)).toEqual([]);
      expect(await org.listUsers(t)).toEqual([]);
      expect(await org.listGroups(t)).toEqual([]);
      expect(await org.listServiceAccounts(t)).toEqual([]);
      await org.sync(t, orgSnapshot(t), T0);
      expect(await org.getUser(t, 'nobody@example.com')).toBeUndefined();
      expect(await org.getServiceAccount(t, 'nobody')).toBeUndefined();
    });

    it('counts nothing when the same snapshot is synced again, and keeps createdAt', async () => {
      const org = ctx.storage().org;
      const t = uid('t');
      await org.sync(t, orgSnapshot(t), T0);
      const again = await org.sync(t, orgSnapshot(t), at(1000));
      expect(again).toEqual({ usersAdded: 0, usersUpdated: 0, usersDeprovisioned: 0 });
      expect((await org.getTenant(t))?.createdAt).toEqual(T0);
    });

    it('updates, adds, removes and deprovisions to match a changed snapshot', async () => {
      const org = ctx.storage().org;
      const t = uid('t');
      const first = orgSnapshot(t);
      await org.sync(t, first, T0);
      const changed = orgSnapshot(t, {
        businessUnits: [{ id: 'bu-eng', name: 'Engineering & Research' }],
        teams: [{ id: 'team-api', businessUnitId: 'bu-eng', name: 'Platform API' }],
        users: [
          { ...first.users[0]!, roles: ['developer', 'admin'], name: 'Ada L.' },
          {
            id: 'cy@example.com',
            email: 'cy@example.com',
            name: 'Cy',
            teamId: null,
            businessUnitId: null,
            roles: [],
            groups: [],
          },
        ],
        groups: [{ id: 'ops', name: null, idpGroup: 'okta-ops', roles: [] }],
        serviceAccounts: [],
      });
      const result = await org.sync(t, { ...changed, tenant: { id: t, name: 'Renamed' } }, at(5000));
      expect(result).toEqual({ usersAdded: 1, usersUpdated: 1, usersDeprovisioned: 1 });
      expect((await org.getTenant(t))?.name).toBe('Renamed');
      expect(await org.listBusinessUnits(t)).toEqual([
        { tenantId: t, id: 'bu-eng', name: 'Engineering & Research' },
      ]);
      expect(await org.listTeams(t)).toEqual([
        { tenantId: t, id: 'team-api', businessUnitId: 'bu-eng', name: 'Platform API' },
      ]);
      expect(await org.listGroups(t)).toEqual([
        { tenantId: t, id: 'ops', name: null, idpGroup: 'okta-ops', roles: [] },
      ]);
      expect(await org.getUser(t, 'ada@example.com')).toMatchObject({
        name: 'Ada L.',
        roles: ['developer', 'admin'],
      });
      // Deprovisioned, never deleted: audit history keeps its subject.
      expect(await org.getUser(t, 'bob@example.com')).toMatchObject({ deprovisionedAt: at(5000) });
      expect(await org.getServiceAccount(t, 'ci-bot')).toMatchObject({ deprovisionedAt: at(5000) });
      expect((await org.listUsers(t)).map((u) => u.id)).toEqual([
        'ada@example.com',
        'bob@example.com',
        'cy@example.com',
      ]);

      // Still missing: not deprovisioned again, the first date stays.
      const third = await org.sync(t, changed, at(9000));
      expect(third).toEqual({ usersAdded: 0, usersUpdated: 0, usersDeprovisioned: 0 });
      expect((await org.getUser(t, 'bob@example.com'))?.deprovisionedAt).toEqual(at(5000));

      // Back in the snapshot: un-deprovisioned, counted as an update.
      const back = await org.sync(t, first, at(12_000));
      expect(back).toEqual({ usersAdded: 0, usersUpdated: 2, usersDeprovisioned: 1 });
      expect((await org.getUser(t, 'bob@example.com'))?.deprovisionedAt).toBeNull();
      expect((await org.getServiceAccount(t, 'ci-bot'))?.deprovisionedAt).toBeNull();
      expect((await org.getUser(t, 'cy@example.com'))?.deprovisionedAt).toEqual(at(12_000));
    });

    it('rejects a snapshot of another tenant or with duplicate ids, changing nothing', async () => {
      const org = ctx.storage().org;
      const t = uid('t');
      await expect(org.sync(t, orgSnapshot(uid('other')), T0)).rejects.toBeInstanceOf(ValidationError);
      const twice = orgSnapshot(t);
      twice.users.push({ ...twice.users[0]! });
      await expect(org.sync(t, twice, T0)).rejects.toBeInstanceOf(ValidationError);
      expect(await org.getTenant(t)).toBeUndefined();

      await org.sync(t, orgSnapshot(t), T0);
      await expect(
        org.sync(t, { ...twice, tenant: { id: t, name: 'Changed' } }, at(1)),
      ).rejects.toBeInstanceOf(ValidationError);
      expect((await org.getTenant(t))?.name).toBe(`Tenant ${t}`);
    });

    it('syncs a large org in one call', async () => {
      const org = ctx.storage().org;
      const t = uid('t');
      const users = Array.from({ length: 1200 }, (_, i) => ({
        id: `user${i}@example.com`,
        email: `user${i}@example.com`,
        name: null,
        teamId: 'team-api',
        businessUnitId: 'bu-eng',
        roles: ['developer'],
        groups: [],
      }));
      expect(await org.sync(t, orgSnapshot(t, { users }), T0)).toMatchObject({ usersAdded: 1200 });
      const half = users.slice(0, 600);
      expect(await org.sync(t, orgSnapshot(t, { users: half }), at(1))).toMatchObject({
        usersDeprovisioned: 600,
      });
      expect((await org.listUsers(t)).filter((u) => u.deprovisionedAt === null)).toHaveLength(600);
    });
  });
}
