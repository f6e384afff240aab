// The secrets of the device flow: device codes and refresh tokens (256 random bits, stored only as
// SHA-256 digests) and user codes (eight letters of RFC 8628's base-20 alphabet, about 34 bits, enough
// for ten minutes behind a rate limit, and easy to type from a terminal).
import { randomBytes, randomInt } from 'node:crypto';
import { keyDigest } from '../keys/key-digest.ts';

/** Consonants only, no vowels (no words) and none easily mistaken for another. */
const USER_CODE_LETTERS = 'BCDFGHJKLMNPQRSTVWXZ';

export function newDeviceCode(): string {
  return randomBytes(32).toString('base64url');
}

export function newRefreshToken(): string {
  return `llmr_rt_${randomBytes(32).toString('base64url')}`;
}

export function digestOf(secret: string): string {
  return keyDigest(secret);
}

export function newUserCode(): string {
  const letters = Array.from({ length: 8 }, () => USER_CODE_LETTERS[randomInt(USER_CODE_LETTERS.length)]);
  return `${letters.slice(0, 4).join('')}-${letters.slice(4).join('')}`;
}

/** What a person typed, as stored (`XXXX-XXXX`), or undefined when it cannot be a user code. */
export function normalizeUserCode(typed: string): string | undefined {
  const letters = typed.toUpperCase().replace(/[^A-Z]/g, '');
  if (letters.length !== 8 || [...letters].some((c) => !USER_CODE_LETTERS.includes(c))) return undefined;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

/** A sign-in session id: `sis_` and 24 hex digits. */
export function newSessionId(): string {
  return `sis_${randomBytes(12).toString('hex')}`;
}
