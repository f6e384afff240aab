import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['90d', 90 * 86_400_000],
    ['24h', 86_400_000],
    ['30m', 1_800_000],
    ['2w', 14 * 86_400_000],
    ['45s', 45_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text, '--expires')).toBe(ms);
  });

  it.each([
    ['soon', /"soon" is not a duration/],
    ['0d', /must be positive/],
    ['3654d', /longer than 10 years/],
    ['200000000d', /longer than 10 years/],
    ['-1d', /not a duration/],
  ])('rejects %s naming the flag', (text, message) => {
    expect(() => parseDuration(text, '--grace')).toThrow(message);
    expect(() => parseDuration(text, '--grace')).toThrow(/^--grace: /);
  });
});
