// Human durations on the command line (`90d`, `24h`, `30m`) as milliseconds.
import { ValidationError } from '../errors/app-error.ts';

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
  return amount * UNIT_MS[match[2]!]!;
}
