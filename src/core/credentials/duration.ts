// Human durations on the command line (`90d`, `24h`, `30m`) as milliseconds.
import { ValidationError } from '../errors/app-error.ts';

/** Key lifetimes and grace periods beyond this are mistakes (and would overflow a Date). */
export const MAX_DURATION_MS = 3653 * 86_400_000;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(text: string, field: string): number {
  const match = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (!match) {
    throw new ValidationError(
      `${field}: "${text}" is not a duration; write a number and a unit, e.g. 90d, 24h, 30m.`,
      {
        field,
      },
    );
  }
  const amount = Number(match[1]);
  if (amount <= 0) throw new ValidationError(`${field}: the duration must be positive.`, { field });
  const ms = amount * UNIT_MS[match[2]!]!;
  if (ms > MAX_DURATION_MS)
    throw new ValidationError(`${field}: "${text}" is longer than 10 years.`, { field });
  return ms;
}
