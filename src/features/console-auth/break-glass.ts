// The break-glass local admin: one password-protected account for when the IdP is down or its
// configuration is broken. Off unless the server is given the password's scrypt hash
// (LLM_RULES_BREAK_GLASS_HASH, made by `llm-rules break-glass hash`); it lives in the server's
// environment, not the policy repository, because it must work when the policy is what is broken.
// The password itself is never stored or logged. Every attempt, right or wrong, is an audit event.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../core/errors/app-error.ts';

const PREFIX = 'scrypt';
/** scrypt cost: N=2^15, r=8, p=1 (about 32 MiB and 50-100 ms per check: slow to guess, fine to log in). */
const COST = { N: 32_768, r: 8, p: 1 };
const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 16;

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, { ...cost, maxmem: 128 * cost.N * cost.r * 2 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url): what LLM_RULES_BREAK_GLASS_HASH holds. */
export async function hashBreakGlassPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(
      `The break-glass password must be at least ${MIN_PASSWORD_LENGTH} characters (a long random one, kept in a safe).`,
      { field: 'password' },
    );
  }
  const salt = randomBytes(16);
  const hash = await derive(password, salt, COST);
  return [PREFIX, COST.N, COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** The hash's parts, or a ValidationError naming what is wrong (checked when the server starts). */
export function parseBreakGlassHash(encoded: string): ParsedHash {
  const parts = encoded.trim().split('$');
  const [prefix, n, r, p, salt, hash] = parts;
  const fail = () =>
    new ValidationError(
      'LLM_RULES_BREAK_GLASS_HASH is not a break-glass hash; make one with `llm-rules break-glass hash`.',
      { field: 'breakGlassHash' },
    );
  if (parts.length !== 6 || prefix !== PREFIX || !salt || !hash) throw fail();
  const parsed = {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt, 'base64url'),
    hash: Buffer.from(hash, 'base64url'),
  };
  const powerOfTwo = Number.isInteger(parsed.N) && parsed.N >= 16_384 && (parsed.N & (parsed.N - 1)) === 0;
  if (!powerOfTwo || !(parsed.r >= 8 && parsed.r <= 32) || !(parsed.p >= 1 && parsed.p <= 16)) throw fail();
  if (parsed.salt.length < 16 || parsed.hash.length !== KEY_BYTES) throw fail();
  return parsed;
}

export class BreakGlass {
  readonly #hash: ParsedHash;

  constructor(encoded: string) {
    this.#hash = parseBreakGlassHash(encoded);
  }

  async verify(password: string): Promise<boolean> {
    // Bounded input: scrypt of a megabyte-long "password" is work an attacker should not get for free.
    if (password.length === 0 || password.length > 1024) return false;
    const { salt, hash, ...cost } = this.#hash;
    const candidate = await derive(password, salt, cost);
    return timingSafeEqual(candidate, hash);
  }
}
