// Budget periods on UTC boundaries: a day from midnight, a week from Monday, a month from the 1st.

export type BudgetPeriod = 'daily' | 'weekly' | 'monthly';

export interface PeriodWindow {
  start: Date;
  /** When the next period starts: the budget resets then. */
  end: Date;
}

const DAY_MS = 86_400_000;

export function periodWindow(period: BudgetPeriod, now: Date): PeriodWindow {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  if (period === 'monthly')
    return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
  const day = Date.UTC(y, m, d);
  if (period === 'daily') return { start: new Date(day), end: new Date(day + DAY_MS) };
  // getUTCDay: Sunday 0 … Saturday 6; weeks start on Monday (ISO 8601).
  const sinceMonday = (now.getUTCDay() + 6) % 7;
  const start = day - sinceMonday * DAY_MS;
  return { start: new Date(start), end: new Date(start + 7 * DAY_MS) };
}
