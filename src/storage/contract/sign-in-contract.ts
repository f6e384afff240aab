// Contract: SignInStore — device authorizations decided and redeemed once (also across instances),
// polling and slow_down, refresh-token rotation that one caller wins, revocation, pruning, signing keys.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeviceAuthorization, SignInGrant, SignInSession, SigningKey } from '../sign-in-port.ts';
import { at, type ContractContext, orgSnapshot, uid } from './contract-fixtures.ts';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const userCode = () => {
  const letters = 'BCDFGHJKLMNPQRSTVWXZ';
  const pick = () =>
    Array.from(randomBytes(4), (b) => letters[b % letters.length])
      .join('')
      .slice(0, 4);
  return `${pick()}-${pick()}`;
};

function device(overrides: Partial<DeviceAuthorization> = {}): DeviceAuthorization {
  return {
    deviceDigest: hex(32),
    userCode: userCode(),
    surface: 'claude_code',
    createdAt: at(0),
    expiresAt: at(600_000),
    interval: 5,
    lastPolledAt: null,
    status: 'pending',
    grant: null,
    ...overrides,
  };
}

function grant(tenantId: string): SignInGrant {
  return {
    tenantId,
    userId: 'ada@example.com',
    email: 'Ada@Example.com',
    idpGroups: ['acme-engineering', 'everyone'],
    idpRefreshToken: 'encrypted:abc',
  };
}

function session(tenantId: string, overrides: Partial<SignInSession> = {}): SignInSession {
  return {
    ...grant(tenantId),
    id: `sis_${hex(12)}`,
    surface: 'claude_code',
    createdAt: at(1_000),
    refreshDigest: hex(32),
    refreshedAt: at(1_000),
    expiresAt: at(30 * 86_400_000),
    revokedAt: null,
    ...overrides,
  };
}

export function signInContract(ctx: ContractContext): void {
  describe('sign-in', () => {
    const store = () => ctx.storage().signIn;
    const tenant = async () => {
      const t = uid('sig');
      await ctx.storage().org.sync(t, orgSnapshot(t), at(0));
      return t;
    };

    it('finds a pending device authorization by its user code until it expires', async () => {
      const d = device();
      await store().createDevice(d);
      expect(await store().findPendingDevice(d.userCode, at(1))).toEqual(d);
      expect(await store().findPendingDevice(d.userCode, at(600_000))).toBeUndefined();
      expect(await store().findPendingDevice('ZZZZ-ZZZZ', at(1))).toBeUndefined();
    });

    it('refuses a second pending authorization with the same user code', async () => {
      const d = device();
      await store().createDevice(d);
      await expect(store().createDevice(device({ userCode: d.userCode }))).rejects.toThrow();
    });

    it('decides a pending authorization once, even from two instances at once', async () => {
      const t = await tenant();
      const d = device();
      await store().createDevice(d);
      const other = await ctx.another();
      const results = await Promise.all([
        store().decideDevice(d.deviceDigest, { status: 'approved', grant: grant(t) }),
        other.signIn.decideDevice(d.deviceDigest, { status: 'denied' }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store().findPendingDevice(d.userCode, at(1))).toBeUndefined();
    });

    it('records polls, raising the interval by 5 s when one comes too soon', async () => {
      const d = device();
      await store().createDevice(d);
      const first = await store().pollDevice(d.deviceDigest, at(10_000));
      expect(first).toEqual({ device: d, tooSoon: false });
      const early = await store().pollDevice(d.deviceDigest, at(11_000));
      expect(early?.tooSoon).toBe(true);
      expect(early?.device.lastPolledAt).toEqual(at(10_000));
      const after = await store().pollDevice(d.deviceDigest, at(30_000));
      expect(after).toMatchObject({ tooSoon: false, device: { interval: 10, lastPolledAt: at(11_000) } });
      expect(await store().pollDevice(hex(32), at(1))).toBeUndefined();
    });

    it('redeems an approved authorization into a session once, with every field as given', async () => {
      const t = await tenant();
      const d = device();
      await store().createDevice(d);
      const s = session(t);
      expect(await store().redeemDevice(d.deviceDigest, s)).toBe(false);
      await store().decideDevice(d.deviceDigest, { status: 'approved', grant: grant(t) });
      const polled = await store().pollDevice(d.deviceDigest, at(5_000));
      expect(polled?.device).toMatchObject({ status: 'approved', grant: grant(t) });
      const rival = session(t);
      const other = await ctx.another();
      const redeemed = await Promise.all([
        store().redeemDevice(d.deviceDigest, s),
        other.signIn.redeemDevice(d.deviceDigest, rival),
      ]);
      expect(redeemed.filter(Boolean)).toHaveLength(1);
      const winner = redeemed[0] ? s : rival;
      expect(await store().getSession(t, winner.id)).toEqual(winner);
      expect(await store().listSessions(t, winner.userId, at(2_000))).toEqual([winner]);
    });

    it('creates a session without a device (console sign-in), found by its digest, refused twice', async () => {
      const t = await tenant();
      const s = session(t, { surface: 'console:oidc', idpRefreshToken: null });
      await store().createSession(s);
      expect(await store().getSession(t, s.id)).toEqual(s);
      expect(await store().findSessionByRefresh(s.refreshDigest)).toEqual(s);
      await expect(store().createSession(s)).rejects.toThrow();
    });

    it('spends a marker once, also across instances at once, until pruning forgets it', async () => {
      const marker = `saml-assertion:${hex(8)}`;
      const other = ctx.storage().dialect === 'memory' ? ctx.storage() : await ctx.another();
      const spent = await Promise.all([
        store().spendOnce(marker, at(60_000)),
        other.signIn.spendOnce(marker, at(60_000)),
      ]);
      expect(spent.filter(Boolean)).toHaveLength(1);
      expect(await store().spendOnce(marker, at(60_000))).toBe(false);
      expect(await store().prune(at(60_000))).toBeGreaterThanOrEqual(1);
      expect(await store().spendOnce(marker, at(120_000))).toBe(true);
    });

    it('keeps a session to its tenant', async () => {
      const t = await tenant();
      const other = await tenant();
      const d = device();
      await store().createDevice(d);
      await store().decideDevice(d.deviceDigest, { status: 'approved', grant: grant(t) });
      const s = session(t);
      await store().redeemDevice(d.deviceDigest, s);
      expect(await store().getSession(other, s.id)).toBeUndefined();
      expect(await store().revokeSession(other, s.id, at(2))).toBe(false);
      expect(
        await store().rotateRefresh(other, s.id, { previous: s.refreshDigest, next: hex(32), at: at(2) }),
      ).toBe(false);
      expect(await store().listSessions(other, s.userId, at(2))).toEqual([]);
    });

    it('rotates a refresh token once: the first caller wins, the old token finds nothing after', async () => {
      const t = await tenant();
      const d = device();
      await store().createDevice(d);
      await store().decideDevice(d.deviceDigest, { status: 'approved', grant: grant(t) });
      const s = session(t);
      await store().redeemDevice(d.deviceDigest, s);
      expect(await store().findSessionByRefresh(s.refreshDigest)).toEqual(s);
      const [a, b] = [hex(32), hex(32)];
      const other = await ctx.another();
      const results = await Promise.all([
        store().rotateRefresh(t, s.id, { previous: s.refreshDigest, next: a, at: at(2_000) }),
        other.signIn.rotateRefresh(t, s.id, {
          previous: s.refreshDigest,
          next: b,
          at: at(2_000),
          idpRefreshToken: 'encrypted:new',
        }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store().findSessionByRefresh(s.refreshDigest)).toBeUndefined();
      const now = await store().getSession(t, s.id);
      expect(now?.refreshDigest).toBe(results[0] ? a : b);
      expect(now?.refreshedAt).toEqual(at(2_000));
      expect(now?.idpRefreshToken).toBe(results[0] ? 'encrypted:abc' : 'encrypted:new');
    });

    it('revokes a session once and stops listing it; prunes what is past its expiry', async () => {
      const t = await tenant();
      const sessions: SignInSession[] = [];
      for (const createdAt of [at(1_000), at(2_000)]) {
        const d = device();
        await store().createDevice(d);
        await store().decideDevice(d.deviceDigest, { status: 'approved', grant: grant(t) });
        const s = session(t, { createdAt, expiresAt: at(50_000) });
        await store().redeemDevice(d.deviceDigest, s);
        sessions.push(s);
      }
      expect((await store().listSessions(t, 'ada@example.com', at(3_000))).map((s) => s.id)).toEqual([
        sessions[1]!.id,
        sessions[0]!.id,
      ]);
      expect(await store().revokeSession(t, sessions[0]!.id, at(4_000))).toBe(true);
      expect(await store().revokeSession(t, sessions[0]!.id, at(5_000))).toBe(false);
      expect((await store().getSession(t, sessions[0]!.id))?.revokedAt).toEqual(at(4_000));
      expect((await store().listSessions(t, 'ada@example.com', at(5_000))).map((s) => s.id)).toEqual([
        sessions[1]!.id,
      ]);
      const stale = device({ expiresAt: at(10) });
      await store().createDevice(stale);
      expect(await store().prune(at(50_000))).toBeGreaterThanOrEqual(3);
      expect(await store().getSession(t, sessions[1]!.id)).toBeUndefined();
      expect(await store().pollDevice(stale.deviceDigest, at(50_001))).toBeUndefined();
    });

    it('keeps signing keys until they expire, newest first', async () => {
      const now = new Date(Date.UTC(2031, 0, 1));
      const key = (kid: string, createdAt: number, expiresAt: number): SigningKey => ({
        kid,
        alg: 'ES256',
        publicJwk: JSON.stringify({ kty: 'EC', kid }),
        privateJwk: 'encrypted:private',
        createdAt: new Date(now.getTime() + createdAt),
        retiresAt: new Date(now.getTime() + createdAt + 1_000),
        expiresAt: new Date(now.getTime() + expiresAt),
      });
      const [old, current] = [key(uid('kid'), 0, 5_000), key(uid('kid'), 2_000, 9_000)];
      await store().addSigningKey(old);
      await store().addSigningKey(current);
      await expect(store().addSigningKey(old)).rejects.toThrow();
      const mine = (keys: SigningKey[]) => keys.filter((k) => k.kid === old.kid || k.kid === current.kid);
      expect(mine(await store().signingKeys(new Date(now.getTime() + 3_000)))).toEqual([current, old]);
      expect(mine(await store().signingKeys(new Date(now.getTime() + 6_000)))).toEqual([current]);
    });
  });
}
