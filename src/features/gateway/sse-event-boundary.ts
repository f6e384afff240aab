// Where the complete events of an event stream's bytes end: after the last blank line (a line ending
// right after another; LF, CRLF or a CR alone, as the SSE format allows). What follows is an event not
// yet finished, which a client's parser could not use before its end arrives anyway.

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/**
 * The index just past the last blank line of `bytes`, or 0 when there is none. Lines before `from` are
 * known to hold none, so the search stops there (a line ending at `from - 1` may still open one).
 */
export function completeEventsEnd(bytes: Uint8Array, from = 0): number {
  const stop = Math.max(0, from - 2);
  for (let at = bytes.length - 1; at > stop; at--) {
    const byte = bytes[at];
    if (byte !== LINE_FEED && byte !== CARRIAGE_RETURN) continue;
    // The line ending that `at` closes (CRLF is one), and what came just before it.
    const opens = byte === LINE_FEED && bytes[at - 1] === CARRIAGE_RETURN ? at - 1 : at;
    const before = opens > 0 ? bytes[opens - 1] : undefined;
    if (before === LINE_FEED || before === CARRIAGE_RETURN) return at + 1;
    at = opens;
  }
  return 0;
}
