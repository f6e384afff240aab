// The checks every ID token from the IdP must pass: each way a token can be wrong is refused.
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyIdToken } from './oidc-federation.ts';

const ISSUER = 'https://idp.acme.test';
const AUDIENCE = 'llm-rules';
const NOW = new Date('2026-12-01T12:00:00Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

let keys: ReturnType<typeof createLocalJWKSet>;
let signingKey: CryptoKey;
let otherKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
});

function token(overrides: JWTPayload = {}, key = signingKey, alg = 'RS256') {
  return new SignJWT({ nonce: 'n-1', email: 'alice@acme.test', ...overrides })
    .setProtectedHeader({ alg, kid: 'k1' })
    .setIssuer(String(overrides.iss ?? ISSUER))
    .setAudience((overrides.aud as string | string[]) ?? AUDIENCE)
    .setSubject('alice')
    .setIssuedAt(seconds(NOW) - 10)
    .setExpirationTime(Number(overrides.exp ?? seconds(NOW) + 300))
    .sign(key);
}

const check = (idToken: string, nonce = 'n-1') =>
  verifyIdToken(idToken, {
    keys,
    issuer: ISSUER,
    audience: AUDIENCE,
    nonce,
    algorithms: ['RS256'],
    now: NOW,
  });

describe('ID token checks', () => {
  it('accepts a well-formed token and gives its claims', async () => {
    expect(await check(await token())).toMatchObject({ sub: 'alice', email: 'alice@acme.test' });
  });

  it('tolerates a minute of clock skew, no more', async () => {
    await expect(check(await token({ exp: seconds(NOW) - 30 }))).resolves.toBeDefined();
    await expect(check(await token({ exp: seconds(NOW) - 120 }))).rejects.toThrow(/refused/);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const [, payload] = (await token()).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${payload}.`;
    await expect(check(none)).rejects.toThrow(/refused/);
  });

  it('refuses a token for another audience, from another issuer, or expired', async () => {
    await expect(check(await token({ aud: 'someone-else' }))).rejects.toThrow(/refused/);
    await expect(check(await token({ iss: 'https://evil.test' }))).rejects.toThrow(/refused/);
    await expect(check(await token({ exp: seconds(NOW) - 3600 }))).rejects.toThrow(/refused/);
  });

  it('refuses a bad signature and a shared-secret algorithm', async () => {
    await expect(check(await token({}, otherKey))).rejects.toThrow(/refused/);
    const [header, payload, signature] = (await token()).split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), email: 'root@acme.test' })).toString('base64url')}.${signature}`;
    await expect(check(tampered)).rejects.toThrow(/refused/);
    const hmac = await new SignJWT({ nonce: 'n-1' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('alice')
      .setIssuedAt(seconds(NOW))
      .setExpirationTime(seconds(NOW) + 300)
      .sign(new TextEncoder().encode('idp-client-secret-of-32-bytes-long!!'));
    await expect(check(hmac)).rejects.toThrow(/refused/);
  });

  it('refuses a token issued for another sign-in (nonce) or to another client among several audiences', async () => {
    await expect(check(await token(), 'n-2')).rejects.toThrow(/nonce/);
    await expect(check(await token({ aud: [AUDIENCE, 'other'], azp: 'other' }))).rejects.toThrow(/azp/);
    await expect(check(await token({ aud: [AUDIENCE, 'other'], azp: AUDIENCE }))).resolves.toBeDefined();
  });
});
