// A sign-in session as the device flow leaves it, for tests that need a user signed in through the IdP
// (their IdP groups) without running the flow.
import { randomBytes } from 'node:crypto';
import type { SignInSession } from '../../src/storage/sign-in-port.ts';

export function signInSession(
  tenantId: string,
  userId: string,
  idpGroups: string[],
  overrides: Partial<SignInSession> = {},
): SignInSession {
  const now = new Date();
  return {
    tenantId,
    userId,
    email: userId,
    idpGroups,
    idpRefreshToken: null,
    id: `sis_${randomBytes(12).toString('hex')}`,
    surface: 'claude_code',
    createdAt: now,
    refreshDigest: randomBytes(32).toString('hex'),
    refreshedAt: now,
    expiresAt: new Date(now.getTime() + 30 * 86_400_000),
    revokedAt: null,
    ...overrides,
  };
}
