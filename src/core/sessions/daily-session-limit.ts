// `limits.max_sessions_per_day`, one rule for the two places a Claude Code session is counted: the hooks'
// SessionStart and the gateway's first request naming the session (whichever comes first counts it).

const DAY_MS = 86_400_000;

/** Midnight UTC of the day `now` is in: a day's sessions are counted from there. */
export function sessionDayStart(now: Date): Date {
  return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
}

/** Midnight UTC after `now`: when a refused principal may start sessions again. */
export function nextSessionDayStart(now: Date): Date {
  return new Date(sessionDayStart(now).getTime() + DAY_MS);
}

/**
 * How many sessions the principal had started today before this one, when this one is past the limit;
 * undefined when it may go on. Only a session counted just now can be refused: one seen before was let
 * through then.
 */
export function sessionsBeforeRefusal(
  started: { created: boolean; startedToday: number },
  limit: number,
): number | undefined {
  return started.created && started.startedToday > limit ? started.startedToday - 1 : undefined;
}

/** Why a session is refused, after "you have" (the hooks write "LLM-RULES: you have …", the gateway "You have …"). */
export function sessionLimitReason(startedBefore: number, limit: number): string {
  return `started ${startedBefore} sessions today, the most limits.max_sessions_per_day (${limit}) allows; try again after 00:00 UTC.`;
}
