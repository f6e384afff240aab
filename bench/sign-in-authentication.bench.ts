// A signed-in caller's bearer token (what Claude Code sends after `/login`) on SQLite: the whole check a
// gateway or hook request makes, answered from the few-seconds cache, beside its baseline, the ES256
// signature check alone that every request paid before the cache (2026-12-06).
import { AccessTokens } from '../src/features/sign-in/access-tokens.ts';
import { MasterKey } from '../src/features/sign-in/master-key.ts';
import { SignInAuthenticator } from '../src/features/sign-in/sign-in-authenticator.ts';
import { measure, report } from './measure.ts';
import { withOrgStorage } from './support/org-storage.ts';

const HOUR = 3_600_000;

export async function run(): Promise<void> {
  await withOrgStorage(async (storage, clock) => {
    const tokens = new AccessTokens(
      storage.signIn,
      MasterKey.random(),
      () => ({ ttlMs: HOUR, rotationMs: 24 * HOUR }),
      () => clock.now(),
    );
    const issued: string[] = [];
    for (let i = 0; i < 100; i++) {
      const id = `sis_${String(i).padStart(24, '0')}`;
      await storage.signIn.createSession({
        tenantId: 'acme',
        userId: 'alice@acme.test',
        email: 'alice@acme.test',
        idpGroups: [],
        idpRefreshToken: null,
        id,
        surface: null,
        createdAt: clock.now(),
        refreshDigest: `digest-${i}`,
        refreshedAt: clock.now(),
        expiresAt: new Date(clock.now().getTime() + 8 * HOUR),
        revokedAt: null,
      });
      const { token } = await tokens.issue({
        tenantId: 'acme',
        userId: 'alice@acme.test',
        email: 'alice@acme.test',
        sessionId: id,
      });
      issued.push(token);
    }
    const signedIn = new SignInAuthenticator(tokens, storage.signIn, storage.org, clock);
    const n = 5000;
    const baseline = await measure('baseline: ES256 verify of the token', n, (i) =>
      tokens.verify(issued[i % issued.length]!),
    );
    const full = await measure('authenticate(token), 100 sessions', n, (i) =>
      signedIn.authenticate(issued[i % issued.length]!),
    );
    const now = await measure('authenticateNow(token) (the gateway path)', n, (i) =>
      signedIn.authenticateNow(issued[i % issued.length]!),
    );
    report(
      'Sign-in token authentication (SQLite, 100 sign-in sessions, within the 5 s cache)',
      [baseline, full, now],
      `a request's whole check costs ${full.p50Us.toFixed(1)} µs at p50 (${(baseline.p50Us / full.p50Us).toFixed(0)}× less than the signature check alone); every 5 s a token is verified again.`,
    );
  });
}
