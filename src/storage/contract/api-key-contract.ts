// Contract: ApiKeyStore — round-trip, constraints, lookup, touch, revoke and the one-transaction rotation.

import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors/app-error.ts';
import { apiKey, at, type ContractContext, orgSnapshot, T0, uid } from './contract-fixtures.ts';

export function apiKeyContract(ctx: ContractContext): void {
  describe('apiKeys', () => {
    let t: string;
    beforeEach(async () => {
      t = uid('t');
      await ctx.storage().org.sync(t, orgSnapshot(t), T0);
    });

    it('round-trips every field, dates to the millisecond', async () => {
      const keys = ctx.storage().apiKeys;
      const key = apiKey(t, {
        principal: { type: 'service_account', id: 'ci-bot' },
        name: null,
        createdAt: at(1),
        expiresAt: null,
        lastUsedAt: at(2),
        revokedAt: at(3),
        replacedBy: 'next',
        graceUntil: at(4),
      });
      await keys.insert(key);
      expect(await keys.get(t, key.id)).toEqual(key);
      const plain = apiKey(t);
      await keys.insert(plain);
      expect(await keys.get(t, plain.id)).toEqual(plain);
      expect(await keys.get(t, 'missing')).toBeUndefined();
    });

    it('refuses a key for an unknown tenant, a duplicate id or a duplicate digest', async () => {
      const keys = ctx.storage().apiKeys;
      await expect(keys.insert(apiKey(uid('nowhere')))).rejects.toBeInstanceOf(NotFoundError);
      const key = apiKey(t);
      await keys.insert(key);
      await expect(keys.insert(apiKey(t, { id: key.id }))).rejects.toBeInstanceOf(ConflictError);
      const other = uid('t');
      await ctx.storage().org.sync(other, orgSnapshot(other), T0);
      // Digests are unique across the whole deployment: a presented key must resolve to one record.
      await expect(keys.insert(apiKey(other, { digest: key.digest }))).rejects.toBeInstanceOf(ConflictError);
    });

    it('lists a tenant’s keys oldest first, optionally for one principal', async () => {
      const keys = ctx.storage().apiKeys;
      const second = apiKey(t, { createdAt: at(20) });
      const first = apiKey(t, { createdAt: at(10) });
      const bot = apiKey(t, { createdAt: at(30), principal: { type: 'service_account', id: 'ci-bot' } });
      // Same id as a user but another principal type: not the same principal.
      const lookalike = apiKey(t, {
        createdAt: at(40),
        principal: { type: 'service_account', id: 'ada@example.com' },
      });
      for (const key of [second, first, bot, lookalike]) await keys.insert(key);
      expect(await keys.list(t)).toEqual([first, second, bot, lookalike]);
      expect(await keys.list(t, { principal: { type: 'user', id: 'ada@example.com' } })).toEqual([
        first,
        second,
      ]);
      expect(await keys.list(t, { principal: { type: 'service_account', id: 'ci-bot' } })).toEqual([bot]);
      expect(await keys.list(t, { principal: { type: 'user', id: 'nobody@example.com' } })).toEqual([]);
      expect(await keys.list(t, {})).toHaveLength(4);
    });

    it('finds a key for authentication by its public id alone', async () => {
      const keys = ctx.storage().apiKeys;
      const key = apiKey(t);
      await keys.insert(key);
      expect(await keys.findForAuthentication(key.id)).toEqual(key);
      expect(await keys.findForAuthentication(uid('key'))).toBeUndefined();
    });

    it('records the last use, never moving it backwards', async () => {
      const keys = ctx.storage().apiKeys;
      const key = apiKey(t);
      await keys.insert(key);
      await keys.touchLastUsed(t, key.id, at(500));
      expect((await keys.get(t, key.id))?.lastUsedAt).toEqual(at(500));
      await keys.touchLastUsed(t, key.id, at(400));
      expect((await keys.get(t, key.id))?.lastUsedAt).toEqual(at(500));
      await keys.touchLastUsed(t, key.id, at(501));
      expect((await keys.get(t, key.id))?.lastUsedAt).toEqual(at(501));
      await expect(keys.touchLastUsed(t, 'missing', at(1))).resolves.toBeUndefined();
    });

    it('revokes once, keeping the first revocation time; false for an unknown key', async () => {
      const keys = ctx.storage().apiKeys;
      const key = apiKey(t);
      await keys.insert(key);
      expect(await keys.revoke(t, key.id, at(100))).toBe(true);
      expect(await keys.revoke(t, key.id, at(200))).toBe(true);
      expect((await keys.get(t, key.id))?.revokedAt).toEqual(at(100));
      expect(await keys.revoke(t, 'missing', at(100))).toBe(false);
    });

    it('rotates: inserts the successor and marks the old key replaced until the grace time', async () => {
      const keys = ctx.storage().apiKeys;
      const old = apiKey(t);
      await keys.insert(old);
      const successor = apiKey(t, { createdAt: at(1000) });
      expect(await keys.rotate(t, old.id, successor, at(3_600_000))).toBe(true);
      expect(await keys.get(t, successor.id)).toEqual(successor);
      expect(await keys.get(t, old.id)).toEqual({
        ...old,
        replacedBy: successor.id,
        graceUntil: at(3_600_000),
      });
    });

    it('does not rotate an unknown, revoked or already-rotated key, and inserts nothing then', async () => {
      const keys = ctx.storage().apiKeys;
      const unknown = apiKey(t);
      expect(await keys.rotate(t, 'missing', unknown, at(1))).toBe(false);
      expect(await keys.get(t, unknown.id)).toBeUndefined();

      const revoked = apiKey(t);
      await keys.insert(revoked);
      await keys.revoke(t, revoked.id, at(1));
      const afterRevoked = apiKey(t);
      expect(await keys.rotate(t, revoked.id, afterRevoked, at(2))).toBe(false);
      expect(await keys.get(t, afterRevoked.id)).toBeUndefined();

      const old = apiKey(t);
      await keys.insert(old);
      expect(await keys.rotate(t, old.id, apiKey(t), at(2))).toBe(true);
      const second = apiKey(t);
      expect(await keys.rotate(t, old.id, second, at(3))).toBe(false);
      expect(await keys.get(t, second.id)).toBeUndefined();
    });

    it('rolls a rotation back entirely when the successor cannot be inserted', async () => {
      const keys = ctx.storage().apiKeys;
      const old = apiKey(t);
      await keys.insert(old);
      const clash = apiKey(t, { digest: old.digest });
      await expect(keys.rotate(t, old.id, clash, at(1))).rejects.toBeInstanceOf(ConflictError);
      expect(await keys.get(t, old.id)).toEqual(old);
      expect(await keys.get(t, clash.id)).toBeUndefined();
    });

    it('refuses a successor that names another tenant', async () => {
      const keys = ctx.storage().apiKeys;
      const old = apiKey(t);
      await keys.insert(old);
      await expect(keys.rotate(t, old.id, apiKey(uid('t')), at(1))).rejects.toBeInstanceOf(ValidationError);
      expect(await keys.get(t, old.id)).toEqual(old);
    });
  });
}
