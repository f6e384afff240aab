// Request ids that sort by time (the layout of a UUIDv7): usage records are keyed by tenant and request
// id, and ids that arrive in order are appended at the end of that index instead of landing on random
// pages, so a batch of records touches a few pages rather than one per record.
import { randomFillSync } from 'node:crypto';

/** `tttttttt-tttt-7rrr-vrrr-rrrrrrrrrrrr`: 48 bits of milliseconds, then 74 random bits. */
export function timeOrderedId(now = Date.now()): string {
  const random = randomHex();
  // The variant (RFC 9562, `10` in its top bits): the random nibble's low two bits under 8.
  const variant = VARIANT[Number.parseInt(random[3]!, 16) & 3];
  return `${timePart(now)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(7, 19)}`;
}

const VARIANT = ['8', '9', 'a', 'b'];

// The time part of the last id made: a busy server makes many ids in one millisecond, and writing a
// number in hex costs a division a digit.
let lastMs = Number.NaN;
let lastTimePart = '';

/** `tttttttt-tttt`. */
function timePart(now: number): string {
  if (now !== lastMs) {
    const time = now.toString(16).padStart(12, '0');
    lastTimePart = `${time.slice(0, 8)}-${time.slice(8, 12)}`;
    lastMs = now;
  }
  return lastTimePart;
}

// Random bytes drawn from the system's generator a pool at a time, as crypto.randomUUID does: one id
// takes ten of them as one hex string, where randomUUID built its text a byte at a time.
const POOL_BYTES = 4_000;
const ID_BYTES = 10;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** Twenty random hex digits. */
function randomHex(): string {
  if (poolAt + ID_BYTES > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + ID_BYTES);
  poolAt += ID_BYTES;
  return hex;
}
