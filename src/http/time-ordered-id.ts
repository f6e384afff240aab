// Request ids that sort by time (the layout of a UUIDv7): usage records are keyed by tenant and request
// id, and ids that arrive in order are appended at the end of that index instead of landing on random
// pages, so a batch of records touches a few pages rather than one per record.
import { randomUUID } from 'node:crypto';

/** `tttttttt-tttt-7rrr-vrrr-rrrrrrrrrrrr`: 48 bits of milliseconds, then a random UUID's bits. */
export function timeOrderedId(now = Date.now()): string {
  return `${timePart(now)}-7${randomUUID().slice(15)}`;
}

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
