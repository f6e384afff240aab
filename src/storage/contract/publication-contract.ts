// Contract: publishBundle — bundle, every tenant's org and the activation change together or not at all.
// Runs last in the suite: a publication empties every tenant it does not declare.

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors/app-error.ts';
import type { OrgSnapshot } from '../ports.ts';
import { at, bundle, type ContractContext, orgSnapshot, uid } from './contract-fixtures.ts';

export function publicationContract(ctx: ContractContext): void {
  describe('bundle publication', () => {
    it('stores the bundle, syncs every declared tenant and activates, once', async () => {
      const storage = ctx.storage();
      const [t1, t2] = [uid('pub'), uid('pub')];
      const b = bundle();
      const before = await storage.bundles.activeRevision();
      const result = await storage.publishBundle({
        bundle: b,
        orgs: [orgSnapshot(t1), orgSnapshot(t2)],
        appliedBy: 'alice',
        at: at(10),
      });
      expect(result).toMatchObject({ activated: true, previousRevision: before });
      expect(result.orgSync[t1]).toEqual({ usersAdded: 2, usersUpdated: 0, usersDeprovisioned: 0 });
      expect(await storage.bundles.activeRevision()).toBe(b.revision);
      expect(await storage.bundles.get(b.revision)).toEqual(b);
      expect((await storage.org.listUsers(t2)).map((u) => u.id)).toEqual([
        'ada@example.com',
        'bob@example.com',
      ]);

      const historyBefore = await storage.bundles.history(50);
      const again = await storage.publishBundle({
        bundle: b,
        orgs: [orgSnapshot(t1), orgSnapshot(t2)],
        appliedBy: 'bob',
        at: at(11),
      });
      expect(again).toMatchObject({ activated: false, previousRevision: b.revision });
      expect(again.orgSync[t1]).toEqual({ usersAdded: 0, usersUpdated: 0, usersDeprovisioned: 0 });
      expect(await storage.bundles.history(50)).toEqual(historyBefore);
    });

    it('deprovisions the people of a tenant the new bundle no longer declares', async () => {
      const storage = ctx.storage();
      const [kept, dropped] = [uid('pub'), uid('pub')];
      await storage.publishBundle({
        bundle: bundle(),
        orgs: [orgSnapshot(kept), orgSnapshot(dropped)],
        appliedBy: 'a',
        at: at(20),
      });
      const result = await storage.publishBundle({
        bundle: bundle(),
        orgs: [orgSnapshot(kept)],
        appliedBy: 'a',
        at: at(21),
      });
      expect(result.orgSync[dropped]).toEqual({ usersAdded: 0, usersUpdated: 0, usersDeprovisioned: 2 });
      const users = await storage.org.listUsers(dropped);
      expect(users.every((u) => u.deprovisionedAt?.getTime() === at(21).getTime())).toBe(true);
      expect((await storage.org.getServiceAccount(dropped, 'ci-bot'))?.deprovisionedAt).toEqual(at(21));
      expect((await storage.org.listUsers(kept)).every((u) => u.deprovisionedAt === null)).toBe(true);
    });

    it('changes nothing when any part fails', async () => {
      const storage = ctx.storage();
      const tenant = uid('pub');
      const first = bundle();
      await storage.publishBundle({ bundle: first, orgs: [orgSnapshot(tenant)], appliedBy: 'a', at: at(30) });
      const usersBefore = await storage.org.listUsers(tenant);
      const historyBefore = await storage.bundles.history(50);

      const failing = bundle();
      const changed = orgSnapshot(tenant, { users: [] });
      const broken: OrgSnapshot = orgSnapshot(uid('pub'));
      broken.users.push({ ...broken.users[0]! }); // a duplicate id: the sync of this tenant is rejected
      await expect(
        storage.publishBundle({ bundle: failing, orgs: [changed, broken], appliedBy: 'a', at: at(31) }),
      ).rejects.toBeInstanceOf(ValidationError);

      expect(await storage.bundles.activeRevision()).toBe(first.revision);
      expect(await storage.bundles.get(failing.revision)).toBeUndefined();
      expect(await storage.org.listUsers(tenant)).toEqual(usersBefore);
      expect(await storage.bundles.history(50)).toEqual(historyBefore);
    });

    it('serializes concurrent publications: the active bundle always comes with its own org', async () => {
      const storage = ctx.storage();
      const other = await ctx.another();
      const tenant = uid('pub');
      const withRoles = (role: string) =>
        orgSnapshot(tenant, {
          users: orgSnapshot(tenant).users.map((u) => ({ ...u, roles: [role] })),
        });
      const [a, b] = [bundle(), bundle()];
      const rolesOf = { [a.revision]: 'admin', [b.revision]: 'viewer' };
      for (let round = 0; round < 3; round++) {
        await Promise.all([
          storage.publishBundle({
            bundle: { ...a },
            orgs: [withRoles('admin')],
            appliedBy: 'a',
            at: at(40 + round),
          }),
          other.publishBundle({
            bundle: { ...b },
            orgs: [withRoles('viewer')],
            appliedBy: 'b',
            at: at(40 + round),
          }),
        ]);
        const active = (await storage.bundles.activeRevision())!;
        const users = await storage.org.listUsers(tenant);
        expect(users.every((u) => u.roles[0] === rolesOf[active])).toBe(true);
      }
    });
  });
}
