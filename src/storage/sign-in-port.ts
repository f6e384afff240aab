// Claude Code's sign-in through this server (the gateway protocol's RFC 8628 device flow): device
// authorizations waiting for a person to approve them in a browser, the sign-in sessions they become
// (each with one current refresh token), and the keys that sign access tokens.
//
// Deployment-level by nature, like `apiKeys.findForAuthentication`: a device code, a user code and a
// refresh token are presented before anyone knows their tenant, so those lookups are not scoped; every
// session carries its tenant, and what is done with it is scoped from there.
import type { TenantId } from './ports.ts';

export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'redeemed';

/** Who approved a device authorization, as the IdP and the org said at the time. */
export interface SignInGrant {
  tenantId: TenantId;
  /** The user's principal id (their lower-cased email). */
  userId: string;
  email: string;
  /** The IdP's groups at sign-in, as its groups claim listed them. */
  idpGroups: string[];
  /** The IdP's refresh token, encrypted with the server's master key; null when the IdP gave none. */
  idpRefreshToken: string | null;
}

export interface DeviceAuthorization {
  /** SHA-256 (hex) of the device code: the code itself is never stored. */
  deviceDigest: string;
  /** As the person types it, `XXXX-XXXX`. */
  userCode: string;
  /** The client application that asked (`claude_code`), when it said. */
  surface: string | null;
  createdAt: Date;
  expiresAt: Date;
  /** Seconds the client must leave between polls; five more after each `slow_down`. */
  interval: number;
  lastPolledAt: Date | null;
  status: DeviceStatus;
  /** Set when approved. */
  grant: SignInGrant | null;
}

export interface SignInSession extends SignInGrant {
  /** `sis_` and 24 hex digits; the `sid` claim of every access token issued under it. */
  id: string;
  surface: string | null;
  createdAt: Date;
  /** SHA-256 (hex) of the current refresh token; replaced at every refresh, so each is used once. */
  refreshDigest: string;
  refreshedAt: Date;
  /** The session's maximum age: no refresh after it, whatever the IdP says. */
  expiresAt: Date;
  revokedAt: Date | null;
}

/** A key that signs access tokens; several are kept so tokens signed before a rotation still verify. */
export interface SigningKey {
  kid: string;
  alg: string;
  /** The public JWK, as JSON. */
  publicJwk: string;
  /** The private JWK, encrypted with the server's master key. */
  privateJwk: string;
  createdAt: Date;
  /** New tokens are signed with the newest key until this. */
  retiresAt: Date;
  /** Tokens signed with it are accepted until this (its retirement plus the longest token lifetime). */
  expiresAt: Date;
}

/** Polling again sooner than this share of the interval is "too soon" (clocks and networks jitter). */
export const POLL_TOLERANCE = 0.8;

export interface PollResult {
  /** As it stood before this poll. */
  device: DeviceAuthorization;
  /** The poll came sooner than the interval allows; the interval has been raised by 5 s. */
  tooSoon: boolean;
}

export interface SignInStore {
  createDevice(device: DeviceAuthorization): Promise<void>;
  /** The pending, unexpired authorization with this user code (as stored, `XXXX-XXXX`). */
  findPendingDevice(userCode: string, now: Date): Promise<DeviceAuthorization | undefined>;
  /** Approves or denies a pending authorization; false when it is no longer pending. */
  decideDevice(
    deviceDigest: string,
    decision: { status: 'approved'; grant: SignInGrant } | { status: 'denied' },
  ): Promise<boolean>;
  /** Records a poll of the token endpoint; undefined when no such device code exists. */
  pollDevice(deviceDigest: string, now: Date): Promise<PollResult | undefined>;
  /** An approved authorization becomes `session` once, in one transaction; false if it was not approved. */
  redeemDevice(deviceDigest: string, session: SignInSession): Promise<boolean>;
  /** A session that starts without a device authorization: a person signing in to the console. */
  createSession(session: SignInSession): Promise<void>;
  getSession(tenantId: TenantId, id: string): Promise<SignInSession | undefined>;
  /** The session whose current refresh token has this digest. */
  findSessionByRefresh(refreshDigest: string): Promise<SignInSession | undefined>;
  /**
   * Moves the session to a new refresh token if `previous` is still its current one (so two refreshes
   * racing with one token cannot both win); also stores the IdP's new refresh token when given.
   */
  rotateRefresh(
    tenantId: TenantId,
    id: string,
    change: { previous: string; next: string; at: Date; idpRefreshToken?: string | null },
  ): Promise<boolean>;
  /** False when there is no such session or it was already revoked. */
  revokeSession(tenantId: TenantId, id: string, at: Date): Promise<boolean>;
  /** The user's sessions that are neither revoked nor past their maximum age, newest first. */
  listSessions(tenantId: TenantId, userId: string, now: Date): Promise<SignInSession[]>;
  /**
   * Spends a one-time marker (a SAML assertion id, say): true the first time across every instance, false
   * after, until `expiresAt` has passed and pruning forgets it.
   */
  spendOnce(marker: string, expiresAt: Date): Promise<boolean>;
  /** Deletes device authorizations past their expiry, sessions past their maximum age and expired markers; returns how many. */
  prune(now: Date): Promise<number>;
  /** Every key not yet expired at `now`, newest first. */
  signingKeys(now: Date): Promise<SigningKey[]>;
  addSigningKey(key: SigningKey): Promise<void>;
}
