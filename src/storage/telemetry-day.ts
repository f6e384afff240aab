// Raw telemetry is stored and pruned by UTC day, numbered YYYYMMDD.
export function dayNumber(at: Date): number {
  return at.getUTCFullYear() * 10_000 + (at.getUTCMonth() + 1) * 100 + at.getUTCDate();
}

/** 20261206 → 2026-12-06. */
export function dayLabel(day: number): string {
  const text = String(day);
  return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
}

/** The day after, as a number (partition bounds). */
export function nextDay(day: number): number {
  const date = new Date(
    Date.UTC(Math.floor(day / 10_000), (Math.floor(day / 100) % 100) - 1, (day % 100) + 1),
  );
  return dayNumber(date);
}
