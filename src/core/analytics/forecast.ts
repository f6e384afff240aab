// Period-end spend forecast for a budget: what is spent so far plus the recent daily trend over the days
// left. The trend is the mean of the last (up to seven) complete days of the period; on its first day,
// today's spend so far extrapolated to a whole day.

export interface ForecastInput {
  amountUsd: number;
  periodStart: Date;
  periodEnd: Date;
  now: Date;
  /** Spend per UTC day of the period so far, in micro-dollars, oldest first (today last, partial). */
  dailyMicro: readonly number[];
}

export interface Forecast {
  spent_usd: number;
  /** Dollars a day the forecast assumes from now to the period's end. */
  trend_usd_per_day: number;
  forecast_usd: number;
  /** Forecast minus amount: positive means over budget. */
  variance_usd: number;
  variance_pct: number | null;
  /** When the trend reaches the amount, if before the period's end. */
  exhausted_at: string | null;
}

const DAY_MS = 86_400_000;
const TREND_DAYS = 7;
const cents = (n: number) => Math.round(n * 100) / 100;

export function forecastSpend(input: ForecastInput): Forecast {
  const spentMicro = input.dailyMicro.reduce((a, b) => a + b, 0);
  const complete = input.dailyMicro.slice(0, -1).slice(-TREND_DAYS);
  const today = input.dailyMicro.at(-1) ?? 0;
  const startOfToday = Math.floor(input.now.getTime() / DAY_MS) * DAY_MS;
  const elapsedToday = Math.max((input.now.getTime() - startOfToday) / DAY_MS, 1 / 24);
  const trendMicro =
    complete.length > 0 ? complete.reduce((a, b) => a + b, 0) / complete.length : today / elapsedToday;
  const daysLeft = Math.max(0, (input.periodEnd.getTime() - input.now.getTime()) / DAY_MS);
  const spent = spentMicro / 1_000_000;
  const trend = trendMicro / 1_000_000;
  const forecast = spent + trend * daysLeft;
  let exhaustedAt: string | null = null;
  if (spent >= input.amountUsd) exhaustedAt = input.now.toISOString();
  else if (trend > 0) {
    const at = input.now.getTime() + ((input.amountUsd - spent) / trend) * DAY_MS;
    if (at < input.periodEnd.getTime()) exhaustedAt = new Date(at).toISOString();
  }
  return {
    spent_usd: cents(spent),
    trend_usd_per_day: cents(trend),
    forecast_usd: cents(forecast),
    variance_usd: cents(forecast - input.amountUsd),
    variance_pct:
      input.amountUsd > 0 ? Math.round(((forecast - input.amountUsd) / input.amountUsd) * 1000) / 10 : null,
    exhausted_at: exhaustedAt,
  };
}
