// Cookies as the browser-facing pages use them: HttpOnly unless a script must read one, SameSite and Secure as the caller says;
// and a constant-time comparison for the tokens they carry.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export function cookiesOf(request: Pick<FastifyRequest, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed value is no value: whatever needed it asks again.
    }
  }
  return out;
}

export function cookie(
  name: string,
  value: string,
  options: {
    path: string;
    sameSite: 'Strict' | 'Lax';
    maxAge: number;
    secure: boolean;
    /** False only for a value page scripts must read (a CSRF token meant to be echoed in a header). */
    httpOnly?: boolean;
  },
): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAge}`,
    ...(options.httpOnly === false ? [] : ['HttpOnly']),
    `SameSite=${options.sameSite}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
