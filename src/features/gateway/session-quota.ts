// `limits.max_sessions_per_day` at the gateway. A Claude Code session (`x-claude-code-session-id`) is
// counted the first time this process sees it, in the session store the hooks count in: a session the
// SessionStart hook already counted is not counted again, and a client without the hooks (`claude -p`
// with hooks off, anything else that sends the header) is held to the same limit. Requests without a
// session id (the SDKs) are not sessions and are not counted. A session refused here stays refused by
// this process for the day; another instance, finding it already counted, would let it through (as the
// hooks do with a refused session that is resumed).

import type { Clock } from '../../core/clock/clock.ts';
import { AppError } from '../../core/errors/app-error.ts';
import {
  nextSessionDayStart,
  sessionDayStart,
  sessionLimitReason,
  sessionsBeforeRefusal,
} from '../../core/sessions/daily-session-limit.ts';
import type { PrincipalRef } from '../../storage/ports.ts';
import type { SessionStore } from '../../storage/session-port.ts';

/** Sessions this process has let through, remembered so their later requests skip the store; bounded. */
const MAX_KNOWN = 20_000;

/** A session refused here, for the audit trail (the hooks record theirs as `session` events too). */
export interface SessionRefusal {
  tenantId: string;
  sessionId: string;
  user: string;
  startedBefore: number;
  limit: number;
  reason: string;
}

export class SessionQuota {
  readonly #known = new Set<string>();
  /** Sessions refused today, with how many the principal had started before them. */
  readonly #refused = new Map<string, number>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
    /** Told of each session refused (once, not of its later requests); the refusal stands if it fails. */
    private readonly onRefused: (refusal: SessionRefusal) => Promise<void> = async () => {},
  ) {}

  /** True when the request needs no check: no session id, or a session already let through today. */
  knownNow(tenantId: string, sessionId: string | null): boolean {
    return sessionId === null || this.#known.has(knownKey(tenantId, sessionId, this.#day()));
  }

  /** Counts a session not seen yet; refuses it with 429 when it is one more than the day allows. */
  async admit(tenantId: string, sessionId: string, principal: PrincipalRef, limit: number): Promise<void> {
    const now = this.clock.now();
    const key = knownKey(tenantId, sessionId, this.#day());
    const before = this.#refused.get(key);
    if (before !== undefined) throw refusal(before, limit, now);
    const started = await this.sessions.start(tenantId, {
      id: sessionId,
      principal,
      agent: null,
      cwd: null,
      at: now,
      dayStart: sessionDayStart(now),
    });
    const startedBefore = sessionsBeforeRefusal(started, limit);
    if (startedBefore !== undefined) {
      if (this.#refused.size >= MAX_KNOWN) this.#refused.clear();
      this.#refused.set(key, startedBefore);
      const error = refusal(startedBefore, limit, now);
      await this.onRefused({
        tenantId,
        sessionId,
        user: principal.id,
        startedBefore,
        limit,
        reason: error.message,
      });
      throw error;
    }
    if (this.#known.size >= MAX_KNOWN) this.#known.clear();
    this.#known.add(key);
  }

  /** Today, as the key of what is known: the day's start in milliseconds. */
  #day(): number {
    return sessionDayStart(this.clock.now()).getTime();
  }
}

const knownKey = (tenantId: string, sessionId: string, day: number) =>
  `${tenantId}\u0000${day}\u0000${sessionId}`;

/** 429 until midnight UTC; `x-should-retry: false`, as retrying within the day cannot succeed. */
function refusal(startedBefore: number, limit: number, now: Date): AppError {
  const nextDay = nextSessionDayStart(now).getTime();
  const seconds = Math.max(1, Math.ceil((nextDay - now.getTime()) / 1000));
  return new AppError(
    429,
    'rate_limit_error',
    `You have ${sessionLimitReason(startedBefore, limit)}`,
    { limit: 'limits.max_sessions_per_day' },
    { 'retry-after': String(seconds), 'x-should-retry': 'false' },
  );
}
