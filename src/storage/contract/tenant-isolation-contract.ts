// Contract: every tenant-scoped method, called for tenant A, neither sees nor changes tenant B's rows.

import { beforeEach, describe, expect, it } from 'vitest';
import type { OrgSnapshot, Storage, TenantId } from '../ports.ts';
import { apiKey, at, type ContractContext, orgSnapshot, T0, uid } from './contract-fixtures.ts';

/** Everything tenant-scoped that can be read about one tenant. */
async function capture(storage: Storage, t: TenantId) {
  const { org, apiKeys } = storage;
  return {
    tenant: await org.getTenant(t),
    businessUnits: await org.listBusinessUnits(t),
    teams: await org.listTeams(t),
    users: await org.listUsers(t),
    groups: await org.listGroups(t),
    serviceAccounts: await org.listServiceAccounts(t),
    keys: await apiKeys.list(t),
  };
}

/** Same ids as A's, different names and roles, so a leak shows as a wrong value, not just a wrong tenant id. */
function snapshotOfB(b: TenantId): OrgSnapshot {
  const base = orgSnapshot(b);
  return {
    ...base,
    businessUnits: base.businessUnits.map((x) => ({ ...x, name: `B ${x.name}` })),
    teams: base.teams.map((x) => ({ ...x, name: `B ${x.name}` })),
    users: [...base.users.map((x) => ({ ...x, name: 'B user', roles: ['b-role'] })), onlyInB],
    groups: base.groups.map((x) => ({ ...x, name: 'B group', roles: ['b-role'] })),
    serviceAccounts: [
      ...base.serviceAccounts.map((x) => ({ ...x, name: 'B bot' })),
      { ...base.serviceAccounts[0]!, id: 'b-only-bot' },
    ],
  };
}

const onlyInB = {
  id: 'b-only@example.com',
  email: 'b-only@example.com',
  name: null,
  teamId: null,
  businessUnitId: null,
  roles: [],
  groups: [],
};

export function tenantIsolationContract(ctx: ContractContext): void {
  describe('tenant isolation', () => {
    let a: TenantId;
    let b: TenantId;
    let sharedKeyId: string;
    let bOnlyKeyId: string;

    beforeEach(async () => {
      const { org, apiKeys } = ctx.storage();
      a = uid('tenant-a');
      b = uid('tenant-b');
      await org.sync(a, orgSnapshot(a), T0);
      await org.sync(b, snapshotOfB(b), T0);
      sharedKeyId = uid('key');
      bOnlyKeyId = uid('key');
      await apiKeys.insert(apiKey(a, { id: sharedKeyId }));
      await apiKeys.insert(apiKey(b, { id: sharedKeyId, name: 'B key' }));
      await apiKeys.insert(apiKey(b, { id: bOnlyKeyId }));
    });

    it('org reads for A return only A’s rows', async () => {
      const { org } = ctx.storage();
      const mine = await capture(ctx.storage(), a);
      expect(mine.tenant?.name).toBe(`Tenant ${a}`);
      const rows = [
        ...mine.businessUnits,
        ...mine.teams,
        ...mine.users,
        ...mine.groups,
        ...mine.serviceAccounts,
      ];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.tenantId === a)).toBe(true);
      expect(mine.businessUnits.map((x) => x.name)).toEqual(['Engineering', 'Operations']);
      expect(mine.teams.map((x) => x.name)).toEqual(['API', 'SRE']);
      expect(mine.users.map((x) => x.id)).toEqual(['ada@example.com', 'bob@example.com']);
      expect(mine.groups.map((x) => x.roles)).toEqual([['developer', 'reviewer']]);
      expect(mine.serviceAccounts.map((x) => x.id)).toEqual(['ci-bot']);
      expect(await org.getUser(a, 'ada@example.com')).toMatchObject({ tenantId: a, name: 'Ada' });
      expect(await org.getUser(a, onlyInB.id)).toBeUndefined();
      expect(await org.getServiceAccount(a, 'ci-bot')).toMatchObject({ tenantId: a, name: 'CI' });
      expect(await org.getServiceAccount(a, 'b-only-bot')).toBeUndefined();
    });

    it('key reads for A return only A’s keys', async () => {
      const { apiKeys } = ctx.storage();
      expect(await apiKeys.get(a, sharedKeyId)).toMatchObject({ tenantId: a, name: 'laptop' });
      expect(await apiKeys.get(a, bOnlyKeyId)).toBeUndefined();
      expect((await apiKeys.list(a)).map((k) => [k.tenantId, k.id])).toEqual([[a, sharedKeyId]]);
      const principal = { type: 'user' as const, id: 'ada@example.com' };
      expect((await apiKeys.list(a, { principal })).map((k) => k.tenantId)).toEqual([a]);
    });

    it('org.sync for A leaves B untouched', async () => {
      const before = await capture(ctx.storage(), b);
      const empty = orgSnapshot(a, {
        businessUnits: [],
        teams: [],
        users: [],
        groups: [],
        serviceAccounts: [],
      });
      expect(await ctx.storage().org.sync(a, empty, at(10))).toMatchObject({ usersDeprovisioned: 2 });
      await ctx.storage().org.sync(a, { ...orgSnapshot(a), tenant: { id: a, name: 'Renamed A' } }, at(20));
      expect(await capture(ctx.storage(), b)).toEqual(before);
    });

    it('apiKeys.insert into A leaves B untouched', async () => {
      const before = await capture(ctx.storage(), b);
      await ctx.storage().apiKeys.insert(apiKey(a, { id: bOnlyKeyId }));
      expect(await capture(ctx.storage(), b)).toEqual(before);
      expect(await ctx.storage().apiKeys.get(a, bOnlyKeyId)).toMatchObject({ tenantId: a });
    });

    it('apiKeys.touchLastUsed for A leaves B untouched', async () => {
      const before = await capture(ctx.storage(), b);
      await ctx.storage().apiKeys.touchLastUsed(a, sharedKeyId, at(100));
      await ctx.storage().apiKeys.touchLastUsed(a, bOnlyKeyId, at(100));
      expect((await ctx.storage().apiKeys.get(a, sharedKeyId))?.lastUsedAt).toEqual(at(100));
      expect(await capture(ctx.storage(), b)).toEqual(before);
    });

    it('apiKeys.revoke for A leaves B untouched', async () => {
      const before = await capture(ctx.storage(), b);
      expect(await ctx.storage().apiKeys.revoke(a, sharedKeyId, at(100))).toBe(true);
      expect(await ctx.storage().apiKeys.revoke(a, bOnlyKeyId, at(100))).toBe(false);
      expect(await capture(ctx.storage(), b)).toEqual(before);
    });

    it('apiKeys.rotate for A leaves B untouched', async () => {
      const before = await capture(ctx.storage(), b);
      const successor = apiKey(a);
      expect(await ctx.storage().apiKeys.rotate(a, sharedKeyId, successor, at(100))).toBe(true);
      expect(await ctx.storage().apiKeys.rotate(a, bOnlyKeyId, apiKey(a), at(100))).toBe(false);
      expect(await capture(ctx.storage(), b)).toEqual(before);
      expect(await ctx.storage().apiKeys.get(b, successor.id)).toBeUndefined();
    });

    it('reads for B after all of A’s changes still show B’s own values', async () => {
      const { org, apiKeys } = ctx.storage();
      expect(await org.getUser(b, 'ada@example.com')).toMatchObject({
        tenantId: b,
        name: 'B user',
        roles: ['b-role'],
      });
      expect(await apiKeys.get(b, sharedKeyId)).toMatchObject({
        tenantId: b,
        name: 'B key',
        revokedAt: null,
      });
    });
  });
}
