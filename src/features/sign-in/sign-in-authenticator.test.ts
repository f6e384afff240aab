// The signed-in caller: a verified token's answer is reused for a few seconds (no signature check per
// request), never longer than the reads behind it, the token or its session allow.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../core/clock/clock.ts';
import { MemorySignInStore } from '../../storage/memory/memory-sign-in-store.ts';
import type { OrgStore, UserRecord } from '../../storage/ports.ts';
import { AccessTokens } from './access-tokens.ts';
import { MasterKey } from './master-key.ts';
import { SignInAuthenticator } from './sign-in-authenticator.ts';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 11, 6, 12);

async function setUp(tokenTtlMs = HOUR) {
  const clock = { at: START };
  const time: Clock = { now: () => new Date(clock.at) };
  const store = new MemorySignInStore();
  const tokens = new AccessTokens(
    store,
    MasterKey.random(),
    () => ({ ttlMs: tokenTtlMs, rotationMs: 24 * HOUR }),
    () => new Date(clock.at),
  );
  let verifications = 0;
  const verify = tokens.verify.bind(tokens);
  tokens.verify = (token, options) => {
    verifications++;
    return verify(token, options);
  };
  const alice: UserRecord = {
    tenantId: 'acme',
    id: 'alice@acme.test',
    email: 'alice@acme.test',
    name: null,
    teamId: 'payments',
    businessUnitId: null,
    roles: [],
    groups: [],
    deprovisionedAt: null,
  };
  const users = new Map([[alice.id, alice]]);
  const org = {
    getUser: async (_tenant: string, id: string) => users.get(id),
    listGroups: async () => [],
  } as unknown as OrgStore;
  await store.createSession({
    tenantId: 'acme',
    userId: alice.id,
    email: alice.email,
    idpGroups: [],
    idpRefreshToken: null,
    id: 'sis_000000000000000000000001',
    surface: null,
    createdAt: new Date(START),
    refreshDigest: 'x',
    refreshedAt: new Date(START),
    expiresAt: new Date(START + 8 * HOUR),
    revokedAt: null,
  });
  const { token } = await tokens.issue({
    tenantId: 'acme',
    userId: alice.id,
    email: alice.email,
    sessionId: 'sis_000000000000000000000001',
  });
  const signedIn = new SignInAuthenticator(tokens, store, org, time);
  const another = async () =>
    (
      await tokens.issue({
        tenantId: 'acme',
        userId: alice.id,
        email: alice.email,
        sessionId: 'sis_000000000000000000000001',
      })
    ).token;
  return { clock, signedIn, token, another, users, alice, verifications: () => verifications };
}

describe('SignInAuthenticator', () => {
  it('checks a token’s signature once, then answers from memory for a few seconds', async () => {
    const { clock, signedIn, token, verifications } = await setUp();
    expect(signedIn.authenticateNow(token)).toBeUndefined();
    const first = await signedIn.authenticate(token);
    expect(first).toMatchObject({ tenantId: 'acme', principal: { type: 'user', id: 'alice@acme.test' } });
    clock.at += 4_000;
    expect(signedIn.authenticateNow(token)).toBe(first);
    expect(await signedIn.authenticate(token)).toBe(first);
    expect(verifications()).toBe(1);
    // Past the few seconds: verified again.
    clock.at += 1_000;
    expect(signedIn.authenticateNow(token)).toBeUndefined();
    await signedIn.authenticate(token);
    expect(verifications()).toBe(2);
    expect(signedIn.authenticateNow(`${token}x`)).toBeUndefined();
  });

  it('sees a removed member no later than its member read would have, and never answers past the token', async () => {
    const { clock, signedIn, token, users, alice } = await setUp(3_000);
    await signedIn.authenticate(token); // the member is read now
    clock.at += 2_000;
    await signedIn.authenticate(token);
    users.set(alice.id, { ...alice, deprovisionedAt: new Date(clock.at) });
    clock.at += 500;
    expect(signedIn.authenticateNow(token)).toBeDefined();
    // The token expires at 3 s: from then on nothing is answered from memory.
    clock.at = START + 3_000;
    expect(signedIn.authenticateNow(token)).toBeUndefined();
    // Five seconds after the member was read, the removal is seen (the token still verifies: 60 s leeway).
    clock.at = START + 5_000;
    await expect(signedIn.authenticate(token)).rejects.toThrow(/no longer a member/);
  });

  it('keeps a token’s answer no longer than the oldest read behind it', async () => {
    const { clock, signedIn, token, another } = await setUp();
    await signedIn.authenticate(token); // session, member and groups read at START
    clock.at = START + 4_000;
    const second = await another();
    await signedIn.authenticate(second); // answered from those reads, 4 s old
    clock.at = START + 5_000;
    expect(signedIn.authenticateNow(second)).toBeUndefined();
  });
});
