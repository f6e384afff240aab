// Access tokens: signed and verified across instances, rotated, and refused in every malformed form.
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { MemorySignInStore } from '../../storage/memory/memory-sign-in-store.ts';
import { AccessTokens, TOKEN_AUDIENCE, TOKEN_ISSUER } from './access-tokens.ts';
import { MasterKey } from './master-key.ts';

const HOUR = 3_600_000;
const claims = { tenantId: 'acme', userId: 'alice@acme.test', email: 'alice@acme.test', sessionId: 'sis_1' };

function tokens(store = new MemorySignInStore(), master = MasterKey.random(), clock = { at: Date.now() }) {
  return {
    store,
    clock,
    tokens: new AccessTokens(
      store,
      master,
      () => ({ ttlMs: HOUR, rotationMs: 24 * HOUR }),
      () => new Date(clock.at),
    ),
  };
}

describe('access tokens', () => {
  it('verify on another instance over the same store and master key', async () => {
    const store = new MemorySignInStore();
    const master = MasterKey.random();
    const { token, expiresAt } = await tokens(store, master).tokens.issue(claims);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(HOUR - 5_000);
    expect(await tokens(store, master).tokens.verify(token)).toMatchObject({ ...claims, expiresAt });
  });

  it('rotate: a retired key no longer signs but its tokens still verify until they expire', async () => {
    const { tokens: t, clock } = tokens();
    const start = clock.at;
    await t.issue(claims);
    // Half an hour before the key retires, then just after: a new key signs.
    clock.at = start + 23.5 * HOUR;
    const first = await t.issue(claims);
    clock.at = start + 24 * HOUR + 60_000;
    const second = await t.issue(claims);
    expect(decodeProtectedHeader(second.token).kid).not.toBe(decodeProtectedHeader(first.token).kid);
    expect(await t.verify(first.token)).toBeDefined();
    clock.at = start + 24.5 * HOUR + 120_000;
    expect(await t.verify(first.token)).toBeUndefined();
    expect(await t.verify(second.token)).toBeDefined();
  });

  it('refuse an expired token, unsigned or foreign-signed tokens, and another issuer or audience', async () => {
    const { tokens: t, clock } = tokens();
    const { token } = await t.issue(claims);
    const [header, payload] = token.split('.');
    const kid = decodeProtectedHeader(token).kid!;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid, typ: 'at+jwt' })).toString('base64url')}.${payload}.x`;
    expect(await t.verify(none)).toBeUndefined();
    const foreign = (await generateKeyPair('ES256')).privateKey;
    const sign = (issuer: string, audience: string, key = foreign) =>
      new SignJWT({ tid: 'acme', sid: 'sis_1' })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject('root@acme.test')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
    expect(await t.verify(await sign(TOKEN_ISSUER, TOKEN_AUDIENCE))).toBeUndefined();
    expect(await t.verify(`${header}.${payload}.${'A'.repeat(86)}`)).toBeUndefined();
    clock.at += HOUR + 61_000;
    expect(await t.verify(token)).toBeUndefined();
    expect(await t.verify(token, { ignoreExpiry: true })).toMatchObject(claims);
  });

  it('keep private keys encrypted in the store', async () => {
    const { tokens: t, store } = tokens();
    await t.issue(claims);
    const [key] = await store.signingKeys(new Date());
    expect(key!.privateJwk).not.toContain('"d"');
    expect(JSON.parse(key!.publicJwk)).not.toHaveProperty('d');
  });
});
