import { beforeEach, describe, expect, it } from 'vitest';
import { minimalPolicyConfig } from '../../../test/support/minimal-policy-config.ts';
import { manualClock } from '../../core/clock/clock.ts';
import { generateApiKey } from '../../core/credentials/api-key-format.ts';
import { AuthenticationError } from '../../core/errors/app-error.ts';
import { createStorage } from '../../storage/create-storage.ts';
import type { Storage } from '../../storage/ports.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { orgSnapshot } from '../bundles/org-snapshot.ts';
import { keyDigest, secureRandomBytes } from './key-digest.ts';
import { KeysService } from './keys-service.ts';

const HOUR = 3_600_000;
const alice = { type: 'user' as const, id: 'alice@acme.test' };

describe('KeysService', () => {
  let storage: Storage;
  let clock: ReturnType<typeof manualClock>;
  let keys: KeysService;

  beforeEach(async () => {
    storage = await createStorage({ memory: true });
    await storage.migrate();
    clock = manualClock();
    await storage.org.sync('acme', orgSnapshot(minimalPolicyConfig().org), clock.now());
    keys = new KeysService(storage, clock);
  });

  it('authenticates a fresh key as its principal and stores only its digest', async () => {
    const issued = await keys.create({
      tenantId: 'acme',
      principal: alice,
      name: 'laptop',
      ttlMs: 90 * 24 * HOUR,
    });
    expect(await keys.authenticate(issued.plaintext)).toMatchObject({
      tenantId: 'acme',
      principal: alice,
      keyId: issued.record.id,
      profile: { email: 'alice@acme.test', teamId: 'platform', roles: ['developer'] },
    });
    const stored = await storage.apiKeys.get('acme', issued.record.id);
    expect(stored?.digest).toBe(keyDigest(issued.plaintext));
    expect(JSON.stringify(stored)).not.toContain(issued.plaintext.slice(17));
  });

  it('refuses keys for principals that do not exist', async () => {
    await expect(
      keys.create({ tenantId: 'acme', principal: { type: 'user', id: 'mallory@acme.test' } }),
    ).rejects.toThrow(/active user 'mallory@acme.test' was not found in tenant 'acme'/);
    await expect(keys.create({ tenantId: 'globex', principal: alice })).rejects.toThrow(/tenant 'globex'/);
  });

  it.each([
    ['malformed', 'sk-ant-api03-xyz', /malformed/],
    ['mistyped', 'llmr_AAAAAAAAAAAABBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB_000000', /checksum/],
  ])('rejects a %s key before any lookup', async (_what, key, message) => {
    await expect(keys.authenticate(key)).rejects.toThrow(message);
  });

  it('rejects a well-formed key it never issued', async () => {
    const { plaintext } = generateApiKey(secureRandomBytes);
    await expect(keys.authenticate(plaintext)).rejects.toThrow(/not known/);
  });

  it('rejects revoked and expired keys', async () => {
    const revoked = await keys.create({ tenantId: 'acme', principal: alice });
    await keys.revoke('acme', revoked.record.id);
    await expect(keys.authenticate(revoked.plaintext)).rejects.toThrow(/revoked/);

    const shortLived = await keys.create({ tenantId: 'acme', principal: alice, ttlMs: HOUR });
    clock.advance(HOUR);
    await expect(keys.authenticate(shortLived.plaintext)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(keys.authenticate(shortLived.plaintext)).rejects.toThrow(/expired/);
  });

  it('keeps old and new keys working during the rotation grace period, then only the new one', async () => {
    const old = await keys.create({ tenantId: 'acme', principal: alice, ttlMs: 90 * 24 * HOUR });
    const successor = await keys.rotate('acme', old.record.id, 24 * HOUR);
    expect(successor.record.expiresAt!.getTime() - successor.record.createdAt.getTime()).toBe(90 * 24 * HOUR);
    await expect(keys.authenticate(old.plaintext)).resolves.toMatchObject({ keyId: old.record.id });
    await expect(keys.authenticate(successor.plaintext)).resolves.toMatchObject({
      keyId: successor.record.id,
    });
    clock.advance(24 * HOUR);
    await expect(keys.authenticate(old.plaintext)).rejects.toThrow(/grace period has ended/);
    await expect(keys.authenticate(successor.plaintext)).resolves.toMatchObject({
      keyId: successor.record.id,
    });
    await expect(keys.rotate('acme', old.record.id, HOUR)).rejects.toThrow(/already rotated/);
  });

  it('stops authenticating a deprovisioned user', async () => {
    const issued = await keys.create({ tenantId: 'acme', principal: alice });
    const org = minimalPolicyConfig().org;
    org.business_units[0]!.teams[0]!.members = [];
    await storage.org.sync('acme', orgSnapshot(org), clock.now());
    await expect(keys.authenticate(issued.plaintext)).rejects.toThrow(/no longer active/);
  });

  it('records last use at most once a minute', async () => {
    const issued = await keys.create({ tenantId: 'acme', principal: alice });
    await keys.authenticate(issued.plaintext);
    const first = (await storage.apiKeys.get('acme', issued.record.id))!.lastUsedAt;
    expect(first).toEqual(clock.now());
    clock.advance(30_000);
    await keys.authenticate(issued.plaintext);
    expect((await storage.apiKeys.get('acme', issued.record.id))!.lastUsedAt).toEqual(first);
    clock.advance(30_000);
    await keys.authenticate(issued.plaintext);
    expect((await storage.apiKeys.get('acme', issued.record.id))!.lastUsedAt).toEqual(clock.now());
  });

  it('issues keys to service accounts', async () => {
    const issued = await keys.create({ tenantId: 'acme', principal: { type: 'service_account', id: 'ci' } });
    await expect(keys.authenticate(issued.plaintext)).resolves.toMatchObject({
      principal: { type: 'service_account', id: 'ci' },
    });
  });

  it("refuses to rotate an expired key or a deprovisioned owner's key", async () => {
    const shortLived = await keys.create({ tenantId: 'acme', principal: alice, ttlMs: HOUR });
    clock.advance(HOUR);
    await expect(keys.rotate('acme', shortLived.record.id, HOUR)).rejects.toThrow(/has expired/);
    const ci = await keys.create({ tenantId: 'acme', principal: { type: 'service_account', id: 'ci' } });
    const org = minimalPolicyConfig().org;
    org.service_accounts = [];
    await storage.org.sync('acme', orgSnapshot(org), clock.now());
    await expect(keys.rotate('acme', ci.record.id, HOUR)).rejects.toThrow(
      /active service account 'ci' was not found/,
    );
  });

  it('lets exactly one of two concurrent rotations win; the loser gets a conflict, not a dead key', async () => {
    const old = await keys.create({ tenantId: 'acme', principal: alice });
    const outcomes = await Promise.allSettled([
      keys.rotate('acme', old.record.id, HOUR),
      keys.rotate('acme', old.record.id, HOUR),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(String((lost[0] as PromiseRejectedResult).reason)).toMatch(/concurrently|already rotated/);
    const successor = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<KeysService['rotate']>>>).value;
    await expect(keys.authenticate(successor.plaintext)).resolves.toMatchObject({
      keyId: successor.record.id,
    });
  });

  it('still authenticates when recording the last use fails', async () => {
    const issued = await keys.create({ tenantId: 'acme', principal: alice });
    const warnings: string[] = [];
    // The same store, except that recording the last use fails as a locked SQLite file would.
    const apiKeys = new Proxy(storage.apiKeys, {
      get(target, property) {
        if (property === 'touchLastUsed') return () => Promise.reject(new Error('SQLITE_BUSY'));
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const busy = new KeysService({ ...storage, apiKeys }, clock, { warn: (_obj, msg) => warnings.push(msg) });
    await expect(busy.authenticate(issued.plaintext)).resolves.toMatchObject({ keyId: issued.record.id });
    expect(warnings).toEqual(['could not record the last use of an API key']);
  });

  it('caches verified keys for the configured time, still honouring expiry and local revocation', async () => {
    const cached = new KeysService(storage, clock, undefined, { cacheTtlMs: 5000 });
    const other = new KeysService(storage, clock); // another process: no shared cache
    const short = await cached.create({ tenantId: 'acme', principal: alice, ttlMs: 3000 });
    await cached.authenticate(short.plaintext);
    clock.advance(3000);
    await expect(cached.authenticate(short.plaintext)).rejects.toThrow(/expired/);

    const key = await cached.create({ tenantId: 'acme', principal: alice });
    await cached.authenticate(key.plaintext);
    await other.revoke('acme', key.record.id);
    // Revoked elsewhere: trusted from the cache until its time is up, then refused.
    await expect(cached.authenticate(key.plaintext)).resolves.toMatchObject({ keyId: key.record.id });
    clock.advance(5000);
    await expect(cached.authenticate(key.plaintext)).rejects.toThrow(/revoked/);

    const local = await cached.create({ tenantId: 'acme', principal: alice });
    await cached.authenticate(local.plaintext);
    await cached.revoke('acme', local.record.id);
    await expect(cached.authenticate(local.plaintext)).rejects.toThrow(/revoked/);
  });

  it('answers authenticateNow only for a key verified within the cache time and still valid', async () => {
    const cached = new KeysService(storage, clock, undefined, { cacheTtlMs: 5000 });
    const key = await cached.create({ tenantId: 'acme', principal: alice, ttlMs: 8000 });
    expect(cached.authenticateNow(key.plaintext)).toBeUndefined(); // never verified here
    const who = await cached.authenticate(key.plaintext);
    expect(cached.authenticateNow(` ${key.plaintext} `)).toBe(who);
    // One character changed (a different one, whatever the key ends with) fails the checksum.
    const mistyped = `${key.plaintext.slice(0, -1)}${key.plaintext.endsWith('x') ? 'y' : 'x'}`;
    expect(cached.authenticateNow(mistyped)).toBeUndefined();
    clock.advance(5000);
    expect(cached.authenticateNow(key.plaintext)).toBeUndefined(); // cache time up
    await cached.authenticate(key.plaintext);
    clock.advance(3000);
    expect(cached.authenticateNow(key.plaintext)).toBeUndefined(); // expired, though cached
    await expect(cached.authenticate(key.plaintext)).rejects.toThrow(/expired/);

    const local = await cached.create({ tenantId: 'acme', principal: alice });
    await cached.authenticate(local.plaintext);
    await cached.revoke('acme', local.record.id);
    expect(cached.authenticateNow(local.plaintext)).toBeUndefined();
    const uncached = new KeysService(storage, clock);
    await uncached.authenticate(local.plaintext).catch(() => {});
    expect(uncached.authenticateNow(key.plaintext)).toBeUndefined(); // no cache, no answer
  });

  it('answers a key presented again from its remembered digest only while its verification is fresh', async () => {
    const cached = new KeysService(storage, clock, undefined, { cacheTtlMs: 5000 });
    const key = await cached.create({ tenantId: 'acme', principal: alice });
    const who = await cached.authenticate(key.plaintext);
    expect(cached.authenticateNow(key.plaintext)).toBe(who); // the digest is remembered here
    expect(cached.authenticateNow(key.plaintext)).toBe(who); // and answered from it
    clock.advance(5000);
    expect(cached.authenticateNow(key.plaintext)).toBeUndefined(); // the verification is stale
    const again = await cached.authenticate(key.plaintext);
    expect(cached.authenticateNow(key.plaintext)).toBe(again);
    expect(cached.authenticateNow(key.plaintext)).toBe(again);
    await cached.revoke('acme', key.record.id);
    expect(cached.authenticateNow(key.plaintext)).toBeUndefined(); // revoked here: forgotten at once
    expect(cached.authenticateNow(key.plaintext)).toBeUndefined();
    // Another key of the same id and a wrong secret is never taken for the remembered one.
    const forged = `${key.plaintext.slice(0, 17)}${'A'.repeat(32)}${key.plaintext.slice(49)}`;
    expect(cached.authenticateNow(forged)).toBeUndefined();
  });

  it("holds a presented key's text no longer than the cache time, nor past its revocation here", async () => {
    const cached = new KeysService(storage, clock, undefined, { cacheTtlMs: 5000 });
    // The memo is private; its size is read here because what it holds is the secret itself.
    const held = () => (cached as unknown as { recentDigests: Map<string, unknown> }).recentDigests.size;
    const a = await cached.create({ tenantId: 'acme', principal: alice });
    const b = await cached.create({ tenantId: 'acme', principal: alice });
    await cached.authenticate(a.plaintext);
    await cached.authenticate(b.plaintext);
    cached.authenticateNow(a.plaintext);
    cached.authenticateNow(b.plaintext);
    expect(held()).toBe(2);
    // `a` is verified again through another route once its verification is stale, which makes it fresh
    // again; its remembered text, as old as the cache time, is let go all the same.
    clock.advance(5000);
    await cached.authenticate(a.plaintext);
    expect(cached.authenticateNow('not a key')).toBeUndefined();
    expect(held()).toBe(0);
    expect(cached.authenticateNow(a.plaintext)).toMatchObject({ keyId: a.record.id });
    expect(held()).toBe(1);
    await cached.revoke('acme', a.record.id);
    expect(held()).toBe(0);
  });

  describe('auth audit events', () => {
    const auth = async () =>
      (await storage.audit.list('acme', { event: 'auth' })).map(
        (r): Record<string, unknown> => ({ user: r.user, ...r.context }),
      );

    it('records who created, rotated and revoked a key, never the key itself', async () => {
      const audited = new KeysService(storage, clock, undefined, {
        audit: new AuditLog(storage.audit, { clock }),
      });
      const issued = await audited.create({
        tenantId: 'acme',
        principal: alice,
        name: 'laptop',
        by: 'root@acme.test',
      });
      const successor = await audited.rotate('acme', issued.record.id, HOUR, 'root@acme.test');
      await audited.revoke('acme', successor.record.id, 'sec@acme.test');
      const principal = { type: 'user', id: alice.id };
      expect(await auth()).toEqual([
        {
          user: 'root@acme.test',
          action: 'key_created',
          key_id: issued.record.id,
          principal,
          name: 'laptop',
          expires_at: null,
          scopes: [],
        },
        {
          user: 'root@acme.test',
          action: 'key_rotated',
          key_id: issued.record.id,
          principal,
          successor: successor.record.id,
          grace_until: new Date(clock.now().getTime() + HOUR).toISOString(),
        },
        { user: 'sec@acme.test', action: 'key_revoked', key_id: successor.record.id, principal },
      ]);
      const trail = JSON.stringify(await storage.audit.list('acme'));
      expect(trail).not.toContain(issued.plaintext);
      expect(trail).not.toContain(successor.plaintext);
    });

    it('records refused uses of a known key, at most once per key and reason a minute', async () => {
      const audited = new KeysService(storage, clock, undefined, {
        audit: new AuditLog(storage.audit, { clock }),
      });
      const issued = await audited.create({ tenantId: 'acme', principal: alice });
      await audited.revoke('acme', issued.record.id);
      for (let i = 0; i < 3; i++)
        await expect(audited.authenticate(issued.plaintext)).rejects.toThrow(/revoked/);
      clock.advance(61_000);
      await expect(audited.authenticate(issued.plaintext)).rejects.toThrow(/revoked/);
      // A well-formed key whose id is stored, but with another secret.
      const presented = generateApiKey(secureRandomBytes);
      await storage.apiKeys.insert({
        ...issued.record,
        id: presented.id,
        digest: keyDigest('another secret'),
        revokedAt: null,
      });
      await expect(audited.authenticate(presented.plaintext)).rejects.toThrow(/not known/);
      const refusals = (await auth()).filter((e) => e.action === 'authentication_failed');
      expect(refusals.map((e) => [e.reason, e.key_id, e.earlier_unrecorded])).toEqual([
        ['revoked', issued.record.id, 0],
        ['revoked', issued.record.id, 2],
        ['wrong_secret', presented.id, 0],
      ]);
    });
  });
});
