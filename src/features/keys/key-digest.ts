// Keys are stored only as SHA-256 digests and compared in constant time.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export function keyDigest(plaintext: string): string {
  // The one-shot hash: every authenticated request digests its key, and a Hash object costs several times more.
  return hash('sha256', plaintext, 'hex');
}

export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export const secureRandomBytes = (n: number): Uint8Array => randomBytes(n);
