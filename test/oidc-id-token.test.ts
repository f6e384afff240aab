// ID tokens checked against a real OIDC provider (oidc-provider): its discovery document and JWKS endpoint,
// tokens signed with its key. Each way a token can be wrong (alg none, another audience, another issuer,
// expired, a signature by another key or over changed claims, a replayed nonce) is refused; the genuine
// one passes.
import { createRemoteJWKSet, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdpRefusal, verifyIdToken } from '../src/features/sign-in/oidc-federation.ts';
import { startTestIdp, type TestIdp } from './support/oidc-idp.ts';

let idp: TestIdp;
let keys: ReturnType<typeof createRemoteJWKSet>;
let algorithms: string[];

beforeAll(async () => {
  idp = await startTestIdp({ redirectUri: 'http://127.0.0.1:9/callback' });
  const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
    id_token_signing_alg_values_supported: string[];
  };
  keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  algorithms = discovery.id_token_signing_alg_values_supported.filter((a) => a !== 'none');
});
afterAll(async () => {
  await idp?.close();
});

const now = () => new Date();
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

function idToken(overrides: JWTPayload = {}, key = idp.signingKey) {
  return new SignJWT({ nonce: 'n-1', email: 'alice@acme.test', ...overrides })
    .setProtectedHeader({ alg: 'RS256', kid: 'idp-key-1' })
    .setIssuer(String(overrides.iss ?? idp.issuer))
    .setAudience((overrides.aud as string) ?? idp.clientId)
    .setSubject('alice')
    .setIssuedAt(seconds(now()) - 10)
    .setExpirationTime(Number(overrides.exp ?? seconds(now()) + 300))
    .sign(key);
}

const verify = (token: string, nonce = 'n-1') =>
  verifyIdToken(token, { keys, issuer: idp.issuer, audience: idp.clientId, nonce, algorithms, now: now() });

describe('ID tokens from a real OIDC provider', () => {
  it('accepts a genuine token, verified with the key from the provider’s JWKS endpoint', async () => {
    expect(await verify(await idToken())).toMatchObject({ sub: 'alice', email: 'alice@acme.test' });
  });

  it('refuses alg none, another audience, another issuer, an expired token and a reused nonce', async () => {
    const genuine = await idToken();
    const [, payload] = genuine.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'idp-key-1' })).toString('base64url')}.${payload}.`;
    const cases = [
      unsigned,
      await idToken({ aud: 'someone-else' }),
      await idToken({ iss: 'https://evil.example' }),
      // Past the clock-skew leeway.
      await idToken({ exp: seconds(now()) - 3_600 }),
    ];
    for (const token of cases) await expect(verify(token)).rejects.toBeInstanceOf(IdpRefusal);
    await expect(verify(genuine, 'another-nonce')).rejects.toBeInstanceOf(IdpRefusal);
  });

  it('refuses a signature by another key, and claims changed after signing', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expect(verify(await idToken({}, privateKey))).rejects.toBeInstanceOf(IdpRefusal);
    const [header, payload, signature] = (await idToken()).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const changed = Buffer.from(JSON.stringify({ ...claims, email: 'root@acme.test' })).toString('base64url');
    await expect(verify(`${header}.${changed}.${signature}`)).rejects.toBeInstanceOf(IdpRefusal);
  });
});
