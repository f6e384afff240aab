// The streamed length of a `content_block_delta` event, read from its data without `JSON.parse`, for the
// event as the Anthropic API writes it: compact, its members in the API's order. An answer streams
// hundreds of these, and parsing each was the largest single cost of relaying a long answer (a tenth of
// the server's busy time in a profile of 305-event answers). Anything else is left to the parse: this
// answers NOT_READ, the caller parses as before, and so what is accepted and what is called malformed
// stay exactly what `JSON.parse` decides.

/** Not read here: parse the event. */
export const NOT_READ = -1;

/**
 * The whole event, as JSON's grammar has it for this one shape: an integer index with no leading zero,
 * a plain type name, then the content member last, its string made of characters other than a quote, a
 * backslash or a control character, and of whole escapes. One `test` (no allocation); the repetitions
 * are of single characters or escapes, which start differently, so a failed match backtracks in linear
 * time, and MAX_LENGTH bounds that time.
 */
const CONTENT_DELTA =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a JSON string may not hold.
  /^\{"type":"content_block_delta","index":(?:0|[1-9][0-9]*),"delta":\{"type":"[^"\\\u0000-\u001f]*","(?:text|partial_json|thinking)":"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"\}\}$/;

/** A delta is a few tokens; a longer event (8 MB at most) is parsed instead. */
const MAX_LENGTH = 4_096;
const CLOSING = '"}}'.length;
const DELTA_TYPE = '"delta":{"type":"';
const U = 0x75;

/**
 * The UTF-16 length of the delta's content once unescaped (what `JSON.parse(data).delta.text.length`,
 * or `partial_json`, or `thinking`, would give), or NOT_READ.
 */
export function contentDeltaChars(data: string): number {
  if (data.length > MAX_LENGTH || !CONTENT_DELTA.test(data)) return NOT_READ;
  // The content opens after the first `":"` past the delta's type. That is so only because the regex
  // takes no quote, escaped or not, in the type's name: widen that and this finds the wrong place.
  const typeName = data.indexOf(DELTA_TYPE) + DELTA_TYPE.length;
  const from = data.indexOf('":"', data.indexOf('"', typeName) + 3) + 3;
  const end = data.length - CLOSING;
  // Every backslash in the body starts a whole escape: two characters for one, or six for \uXXXX.
  let chars = end - from;
  let at = data.indexOf('\\', from);
  while (at !== -1 && at < end) {
    const long = data.charCodeAt(at + 1) === U;
    chars -= long ? 5 : 1;
    at = data.indexOf('\\', at + (long ? 6 : 2));
  }
  return chars;
}

/**
 * A parsed delta's streamed length: its text, a tool's input JSON, or its thinking (read in that order);
 * what contentDeltaChars must agree with.
 */
export function deltaChars(delta: unknown): number {
  if (typeof delta !== 'object' || delta === null) return 0;
  const d = delta as Record<string, unknown>;
  if (typeof d.text === 'string') return d.text.length;
  if (typeof d.partial_json === 'string') return d.partial_json.length;
  if (typeof d.thinking === 'string') return d.thinking.length;
  return 0;
}
