// In-memory SignInStore for unit tests, with the SQL adapters' semantics.
import type { TenantId } from '../ports.ts';
import {
  type DeviceAuthorization,
  POLL_TOLERANCE,
  type PollResult,
  type SignInGrant,
  type SignInSession,
  type SignInStore,
  type SigningKey,
} from '../sign-in-port.ts';

export class MemorySignInStore implements SignInStore {
  readonly #devices = new Map<string, DeviceAuthorization>();
  readonly #sessions = new Map<string, SignInSession>();
  readonly #keys: SigningKey[] = [];
  readonly #markers = new Map<string, Date>();

  async createDevice(device: DeviceAuthorization): Promise<void> {
    if (this.#devices.has(device.deviceDigest)) throw new Error('device code already exists');
    for (const other of this.#devices.values()) {
      if (other.userCode === device.userCode && other.status === 'pending')
        throw new Error('user code already in use');
    }
    this.#devices.set(device.deviceDigest, structuredClone(device));
  }

  async findPendingDevice(userCode: string, now: Date): Promise<DeviceAuthorization | undefined> {
    for (const device of this.#devices.values()) {
      if (device.userCode === userCode && device.status === 'pending' && device.expiresAt > now)
        return structuredClone(device);
    }
    return undefined;
  }

  async decideDevice(
    deviceDigest: string,
    decision: { status: 'approved'; grant: SignInGrant } | { status: 'denied' },
  ): Promise<boolean> {
    const device = this.#devices.get(deviceDigest);
    if (device?.status !== 'pending') return false;
    device.status = decision.status;
    device.grant = decision.status === 'approved' ? structuredClone(decision.grant) : null;
    return true;
  }

  async pollDevice(deviceDigest: string, now: Date): Promise<PollResult | undefined> {
    const device = this.#devices.get(deviceDigest);
    if (!device) return undefined;
    const before = structuredClone(device);
    const tooSoon =
      device.lastPolledAt !== null &&
      now.getTime() - device.lastPolledAt.getTime() < device.interval * 1000 * POLL_TOLERANCE;
    if (tooSoon) device.interval += 5;
    device.lastPolledAt = now;
    return { device: before, tooSoon };
  }

  async redeemDevice(deviceDigest: string, session: SignInSession): Promise<boolean> {
    const device = this.#devices.get(deviceDigest);
    if (device?.status !== 'approved') return false;
    device.status = 'redeemed';
    this.#sessions.set(key(session.tenantId, session.id), structuredClone(session));
    return true;
  }

  async createSession(session: SignInSession): Promise<void> {
    if (this.#sessions.has(key(session.tenantId, session.id))) {
      throw new Error(`sign-in session ${session.id} already exists`);
    }
    this.#sessions.set(key(session.tenantId, session.id), structuredClone(session));
  }

  async getSession(tenantId: TenantId, id: string): Promise<SignInSession | undefined> {
    const session = this.#sessions.get(key(tenantId, id));
    return session && structuredClone(session);
  }

  async findSessionByRefresh(refreshDigest: string): Promise<SignInSession | undefined> {
    for (const session of this.#sessions.values()) {
      if (session.refreshDigest === refreshDigest) return structuredClone(session);
    }
    return undefined;
  }

  async rotateRefresh(
    tenantId: TenantId,
    id: string,
    change: { previous: string; next: string; at: Date; idpRefreshToken?: string | null },
  ): Promise<boolean> {
    const session = this.#sessions.get(key(tenantId, id));
    if (!session || session.refreshDigest !== change.previous) return false;
    session.refreshDigest = change.next;
    session.refreshedAt = change.at;
    if (change.idpRefreshToken !== undefined) session.idpRefreshToken = change.idpRefreshToken;
    return true;
  }

  async revokeSession(tenantId: TenantId, id: string, at: Date): Promise<boolean> {
    const session = this.#sessions.get(key(tenantId, id));
    if (!session || session.revokedAt) return false;
    session.revokedAt = at;
    return true;
  }

  async listSessions(tenantId: TenantId, userId: string, now: Date): Promise<SignInSession[]> {
    return [...this.#sessions.values()]
      .filter((s) => s.tenantId === tenantId && s.userId === userId && !s.revokedAt && s.expiresAt > now)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((s) => structuredClone(s));
  }

  async spendOnce(marker: string, expiresAt: Date): Promise<boolean> {
    if (this.#markers.has(marker)) return false;
    this.#markers.set(marker, expiresAt);
    return true;
  }

  async prune(now: Date): Promise<number> {
    let removed = 0;
    for (const [digest, device] of this.#devices) {
      if (device.expiresAt <= now) {
        this.#devices.delete(digest);
        removed++;
      }
    }
    for (const [id, session] of this.#sessions) {
      if (session.expiresAt <= now) {
        this.#sessions.delete(id);
        removed++;
      }
    }
    for (const [marker, expiresAt] of this.#markers) {
      if (expiresAt <= now) {
        this.#markers.delete(marker);
        removed++;
      }
    }
    return removed;
  }

  async signingKeys(now: Date): Promise<SigningKey[]> {
    return this.#keys
      .filter((k) => k.expiresAt > now)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((k) => ({ ...k }));
  }

  async addSigningKey(signingKey: SigningKey): Promise<void> {
    if (this.#keys.some((k) => k.kid === signingKey.kid)) throw new Error('signing key already exists');
    this.#keys.push({ ...signingKey });
  }
}

const key = (tenantId: TenantId, id: string) => `${tenantId}\u0000${id}`;
