// `auth` audit events for API keys: every change to a key, and every refused use of a key whose tenant
// is known (revoked, expired, past its rotation grace, wrong secret, inactive owner).

import type { JsonValue } from '../../core/bundles/canonical-json.ts';
import type { Clock } from '../../core/clock/clock.ts';
import type { ApiKeyRecord } from '../../storage/ports.ts';
import type { AuditLog } from '../audit/audit-log.ts';

export type KeyAuditSink = Pick<AuditLog, 'record'>;

/** A refused key is recorded at most once per key and reason in this window, per process. */
const REFUSAL_WINDOW_MS = 60_000;
const MAX_TRACKED_REFUSALS = 10_000;

export class KeyAudit {
  readonly #sink: KeyAuditSink | undefined;
  readonly #clock: Clock;
  /** When each (key, reason) refusal was last recorded, and how many were not recorded since. */
  readonly #refusals = new Map<string, { at: number; unrecorded: number }>();

  constructor(sink: KeyAuditSink | undefined, clock: Clock) {
    this.#sink = sink;
    this.#clock = clock;
  }

  /** Created, rotated or revoked; resolves once the record is durable. */
  async changed(
    action: 'key_created' | 'key_rotated' | 'key_revoked',
    key: ApiKeyRecord,
    by: string | undefined,
    details: Record<string, JsonValue> = {},
  ): Promise<void> {
    await this.#sink?.record(key.tenantId, {
      event: 'auth',
      user: by ?? null,
      context: { action, key_id: key.id, ...owner(key), ...details },
    });
  }

  /**
   * A refused use. Throttled, because anyone holding a key id can cause refusals: a flood of them
   * must not turn into a flood of durable writes. The next record says how many were folded into it.
   */
  async refused(key: ApiKeyRecord, reason: string): Promise<void> {
    if (!this.#sink) return;
    const now = this.#clock.now().getTime();
    const slot = `${key.tenantId}\u0000${key.id}\u0000${reason}`;
    const last = this.#refusals.get(slot);
    if (last && now - last.at < REFUSAL_WINDOW_MS) {
      last.unrecorded++;
      return;
    }
    if (this.#refusals.size >= MAX_TRACKED_REFUSALS) this.#refusals.clear();
    this.#refusals.set(slot, { at: now, unrecorded: 0 });
    await this.#sink.record(key.tenantId, {
      event: 'auth',
      user: key.principal.id,
      context: {
        action: 'authentication_failed',
        key_id: key.id,
        ...owner(key),
        reason,
        earlier_unrecorded: last?.unrecorded ?? 0,
      },
    });
  }
}

function owner(key: ApiKeyRecord): Record<string, JsonValue> {
  return { principal: { type: key.principal.type, id: key.principal.id } };
}
