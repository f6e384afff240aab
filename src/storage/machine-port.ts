// Which managed settings developers' sessions run under: the documents `GET /managed/settings` served
// (by checksum, per user) and the checksum each session reports on its model requests
// (`x-claude-code-managed-settings-checksum`), so stale or unmanaged machines can be listed.
import type { TenantId } from './ports.ts';

export interface SettingsServed {
  tenantId: TenantId;
  userId: string;
  checksum: string;
  at: Date;
}

export interface SessionReport {
  tenantId: TenantId;
  sessionId: string;
  /** The principal's id (a user's email, a service account's id). */
  principalId: string;
  /** Null when the session sent none (an older client, `claude ssh`, or no hint headers asked for). */
  checksum: string | null;
  userAgent: string | null;
  at: Date;
}

/** A session as last seen, with what is known of the checksum it reported. */
export interface SessionStanding {
  sessionId: string;
  principalId: string;
  checksum: string | null;
  userAgent: string | null;
  firstSeen: Date;
  lastSeen: Date;
  /** When that checksum was last served to this principal; null if never. */
  checksumServedAt: Date | null;
  /** When any document was last served to this principal; null if never. */
  latestServedAt: Date | null;
  /** The checksum of that latest document. */
  latestChecksum: string | null;
}

export interface MachineStore {
  /** Upserts per (tenant, user, checksum): the last time each document was served. */
  recordServed(served: readonly SettingsServed[]): Promise<void>;
  /** Upserts per (tenant, session): the last checksum, client and time it was seen. */
  recordReports(reports: readonly SessionReport[]): Promise<void>;
  /** The tenant's sessions seen since `since`, most recent first. */
  sessions(tenantId: TenantId, since: Date): Promise<SessionStanding[]>;
}
