// Contract: BundleStore — immutable put, JSON round-trip, activation history and change notification.

import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors/app-error.ts';
import { at, bundle, type ContractContext, sleep, waitUntil } from './contract-fixtures.ts';

export function bundleContract(ctx: ContractContext): void {
  describe('bundles', () => {
    it('stores a bundle once and never overwrites it', async () => {
      const bundles = ctx.storage().bundles;
      const first = bundle();
      expect(await bundles.put(first)).toBe(true);
      expect(await bundles.put(first)).toBe(false);
      expect(await bundles.put({ ...bundle({ revision: first.revision }), createdBy: 'mallory' })).toBe(
        false,
      );
      expect(await bundles.get(first.revision)).toEqual(first);
    });

    it('round-trips JSON content and the creation time to the millisecond', async () => {
      const bundles = ctx.storage().bundles;
      const b = bundle({ createdAt: at(123) });
      await bundles.put(b);
      const stored = await bundles.get(b.revision);
      expect(stored?.content).toEqual(b.content);
      expect(stored?.createdAt.getTime()).toBe(at(123).getTime());
      expect(await bundles.get('0'.repeat(64))).toBeUndefined();
    });

    it('activates, remembering the previous revision, and lists history newest first', async () => {
      const bundles = ctx.storage().bundles;
      const [a, b, c] = [bundle(), bundle(), bundle()];
      for (const x of [a, b, c]) await bundles.put(x);
      const before = await bundles.activeRevision();
      const first = await bundles.activate(a.revision, 'alice', at(1));
      expect(first).toEqual({
        revision: a.revision,
        previousRevision: before,
        appliedBy: 'alice',
        appliedAt: at(1),
      });
      await bundles.activate(b.revision, 'bob', at(2));
      await bundles.activate(c.revision, 'carol', at(3));
      expect(await bundles.activeRevision()).toBe(c.revision);
      expect(await bundles.history(3)).toEqual([
        { revision: c.revision, previousRevision: b.revision, appliedBy: 'carol', appliedAt: at(3) },
        { revision: b.revision, previousRevision: a.revision, appliedBy: 'bob', appliedAt: at(2) },
        first,
      ]);
      expect(await bundles.history(1)).toHaveLength(1);
      expect(await bundles.history(0)).toEqual([]);
      // Re-activating the active revision records nothing and returns the activation in force.
      const again = await bundles.activate(c.revision, 'dave', at(4));
      expect(again).toEqual({
        revision: c.revision,
        previousRevision: b.revision,
        appliedBy: 'carol',
        appliedAt: at(3),
      });
      expect(await bundles.history(3)).toHaveLength(3);
      expect((await bundles.history(1))[0]).toEqual(again);
    });

    it('sets, replaces and clears the candidate bundle, refusing an unknown revision', async () => {
      const bundles = ctx.storage().bundles;
      const [a, b] = [bundle(), bundle()];
      await bundles.put(a);
      await bundles.put(b);
      await bundles.setCandidate({
        revision: a.revision,
        mode: 'shadow',
        percent: 0,
        setBy: 'alice',
        setAt: at(1),
      });
      expect(await bundles.candidate()).toEqual({
        revision: a.revision,
        mode: 'shadow',
        percent: 0,
        setBy: 'alice',
        setAt: at(1),
      });
      await bundles.setCandidate({
        revision: b.revision,
        mode: 'canary',
        percent: 10,
        setBy: 'bob',
        setAt: at(2),
      });
      expect(await bundles.candidate()).toMatchObject({ revision: b.revision, mode: 'canary', percent: 10 });
      await expect(
        bundles.setCandidate({
          revision: 'e'.repeat(64),
          mode: 'shadow',
          percent: 0,
          setBy: 'x',
          setAt: at(3),
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect((await bundles.candidate())?.revision).toBe(b.revision);
      await bundles.setCandidate(null);
      expect(await bundles.candidate()).toBeNull();
    });

    it('refuses to activate an unknown revision, leaving the active one', async () => {
      const bundles = ctx.storage().bundles;
      const known = bundle();
      await bundles.put(known);
      await bundles.activate(known.revision, 'alice', at(1));
      await expect(bundles.activate('f'.repeat(64), 'alice', at(2))).rejects.toBeInstanceOf(NotFoundError);
      expect(await bundles.activeRevision()).toBe(known.revision);
      expect((await bundles.history(1))[0]?.revision).toBe(known.revision);
    });

    it('tells listeners about each change once, never the same revision twice in a row', async () => {
      const bundles = ctx.storage().bundles;
      const [a, b] = [bundle(), bundle()];
      await bundles.put(a);
      await bundles.put(b);
      await bundles.activate(a.revision, 'alice', at(1));
      const heard: string[] = [];
      const alsoHeard: string[] = [];
      const off = bundles.onActiveChange((r) => heard.push(r));
      const offThrowing = bundles.onActiveChange(() => {
        throw new Error('a broken listener must not break the others');
      });
      const offOther = bundles.onActiveChange((r) => alsoHeard.push(r));
      await bundles.activate(b.revision, 'alice', at(2));
      await bundles.activate(b.revision, 'alice', at(3));
      await bundles.activate(a.revision, 'alice', at(4));
      await waitUntil(() => heard.length >= 2, 1000);
      await sleep(450); // two SQLite poll periods: nothing more may arrive
      expect(heard).toEqual([b.revision, a.revision]);
      expect(alsoHeard).toEqual([b.revision, a.revision]);
      off();
      offThrowing();
      await bundles.activate(b.revision, 'alice', at(5));
      await waitUntil(() => alsoHeard.length === 3, 1000);
      expect(heard).toEqual([b.revision, a.revision]);
      offOther();
    });

    it('sees an activation made by another instance within 1 s', async (test) => {
      if (ctx.storage().dialect === 'memory') {
        test.skip('the in-memory fake has no other instances to share state with');
        return;
      }
      const other = await ctx.another();
      const b = bundle();
      await other.bundles.put(b);
      const heard: string[] = [];
      const off = ctx.storage().bundles.onActiveChange((r) => heard.push(r));
      await sleep(300); // let the subscription reach its baseline (first poll / LISTEN)
      const started = Date.now();
      await other.bundles.activate(b.revision, 'elsewhere', at(1));
      const elapsed = await waitUntil(() => heard.length > 0, 1000);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(elapsed).toBeLessThan(1000);
      expect(heard).toEqual([b.revision]);
      expect(await ctx.storage().bundles.activeRevision()).toBe(b.revision);
      off();
    });
  });
}
