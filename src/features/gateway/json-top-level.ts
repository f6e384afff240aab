// The values of a few top-level members of a JSON object, read from its bytes without parsing the rest.
// A Claude Code request is 50 KB to well over a megabyte of conversation, and the gateway needs three
// small members of it (`model`, `stream`, `max_tokens`); JSON.parse of the whole body cost ~1.7 µs a KB,
// several times the rest of the gateway's work on a request, and left all of it behind as garbage. Strings
// are skipped with Buffer#indexOf (native), so the scan costs about a third of a parse and allocates only
// what it returns (bench/messages-inspection.bench.ts).
//
// The members read decide the model allowlist and the price, so the scan must see what the upstream's
// parser sees, whichever parser that is: the body must be valid UTF-8 (a lenient decoder reads an
// overlong encoding such as C1 AC as 'l', so "mode\xC1\xAC" would be "model" to it); keys written with
// escapes are decoded before they are compared; a member given twice is refused rather than guessed at
// (parsers differ on which one wins); and so is a member whose name only differs from a wanted one by
// case or Unicode folding (Go's encoding/json matches "MODEL" or "max_to\u212Aens", with a Kelvin sign,
// to a struct's field). The rest of the body is checked for its structure only (strings closed, brackets
// balanced, members separated); the upstream validates the values it reads.

import { isUtf8 } from 'node:buffer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DIGIT_ZERO = 0x30;
/** Letters, digits, '_' and '-' in ASCII: what member names are made of, in the common case. */
const PLAIN_NAME = /^[\w-]*$/;
/** Escaped quotes closer together than this are looked for byte by byte rather than by a native search. */
const NEAR_BYTES = 8;

/** The body is not a JSON object, or one of the members read is not valid JSON; says where when it can. */
export class JsonShapeError extends Error {
  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} at byte ${offset}`);
    this.name = 'JsonShapeError';
  }
}

/**
 * The decoded values of the wanted top-level members of the JSON object in `raw` (absent ones are not in
 * the map); throws JsonShapeError when `raw` is not shaped as an object or a wanted member is given twice.
 * The folded forms of `wanted` are kept per set, so pass a set that does not change.
 */
export function readTopLevelMembers(raw: Buffer, wanted: ReadonlySet<string>): Map<string, unknown> {
  if (!isUtf8(raw)) throw new JsonShapeError('it is not valid UTF-8');
  const values = new Map<string, unknown>();
  const folded = foldedNames(wanted);
  let i = skipWhitespace(raw, 0);
  if (raw[i] !== OPEN_BRACE) throw new JsonShapeError('expected a JSON object', i);
  i = skipWhitespace(raw, i + 1);
  if (raw[i] === CLOSE_BRACE) return finish(raw, i + 1, values);
  for (;;) {
    if (raw[i] !== QUOTE) throw new JsonShapeError('expected a member name', i);
    const keyEnd = stringEnd(raw, i + 1);
    const key = decodeString(raw, i, keyEnd, 'a member name');
    i = skipWhitespace(raw, keyEnd);
    if (raw[i] !== COLON) throw new JsonShapeError(`expected ':' after "${shown(key)}"`, i);
    const valueStart = skipWhitespace(raw, i + 1);
    const valueEnd = valueEndFrom(raw, valueStart);
    if (wanted.has(key)) {
      if (values.has(key)) throw new JsonShapeError(`"${key}" is given twice`, valueStart);
      values.set(key, decodeWanted(raw, valueStart, valueEnd, key));
    } else {
      const lookalike = folded.get(fold(key));
      if (lookalike !== undefined)
        throw new JsonShapeError(`"${shown(key)}" is too like "${lookalike}" to tell apart`, valueStart);
    }
    i = skipWhitespace(raw, valueEnd);
    if (raw[i] === CLOSE_BRACE) return finish(raw, i + 1, values);
    if (raw[i] !== COMMA) throw new JsonShapeError("expected ',' or '}'", i);
    i = skipWhitespace(raw, i + 1);
  }
}

/** Each wanted set's names by their folded form, made once: callers pass the same set every request. */
const foldedByWanted = new WeakMap<ReadonlySet<string>, ReadonlyMap<string, string>>();

function foldedNames(wanted: ReadonlySet<string>): ReadonlyMap<string, string> {
  let folded = foldedByWanted.get(wanted);
  if (!folded) {
    folded = new Map([...wanted].map((name) => [fold(name), name]));
    foldedByWanted.set(wanted, folded);
  }
  return folded;
}

/** Case and compatibility folding, as lenient parsers match names: "MODEL", "ſtream" (long s), "K" (Kelvin). */
function fold(name: string): string {
  // ASCII is its own compatibility form, and its case folds by lower-casing (half the cost).
  if (PLAIN_NAME.test(name)) return name.toLowerCase();
  return name.normalize('NFKC').toUpperCase().toLowerCase();
}

/** A member name as an error message shows it: a name can be megabytes long. */
function shown(key: string): string {
  return key.length > 40 ? `${key.slice(0, 40)}…` : key;
}

function finish(raw: Buffer, end: number, values: Map<string, unknown>): Map<string, unknown> {
  const rest = skipWhitespace(raw, end);
  if (rest < raw.length) throw new JsonShapeError('unexpected content after the object', rest);
  return values;
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isWhitespace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWhitespace(raw: Buffer, i: number): number {
  while (isWhitespace(raw[i])) i++;
  return i;
}

function skipWhitespaceBack(raw: Buffer, i: number): number {
  while (isWhitespace(raw[i])) i--;
  return i;
}

/**
 * Whether a `"name": "value"` member appears anywhere in the body, at any depth (inside another string
 * its quotes would be escaped). Searched for from `value"`, without the opening quote, which is too
 * common a byte for Buffer#indexOf to skip ahead on (50 times slower on a megabyte of conversation); what
 * comes before is then checked.
 */
export function hasStringMember(raw: Buffer, name: string, value: string): boolean {
  const needle = `${value}"`;
  const member = memberBytes(name);
  for (let at = raw.indexOf(needle); at !== -1; at = raw.indexOf(needle, at + 1)) {
    if (raw[at - 1] !== QUOTE) continue;
    // Back over `"name" :` and the whitespace JSON allows around the colon.
    let i = skipWhitespaceBack(raw, at - 2);
    if (raw[i] !== COLON) continue;
    i = skipWhitespaceBack(raw, i - 1);
    const start = i - member.length + 1;
    if (start >= 0 && raw.subarray(start, i + 1).equals(member)) return true;
  }
  return false;
}

/** `"name"` as bytes, made once a name (callers pass a few fixed names). */
const memberBytesByName = new Map<string, Buffer>();

function memberBytes(name: string): Buffer {
  let bytes = memberBytesByName.get(name);
  if (!bytes) {
    bytes = Buffer.from(`"${name}"`);
    memberBytesByName.set(name, bytes);
  }
  return bytes;
}

/** Just past the closing quote of the string whose content starts at `i`. */
function stringEnd(raw: Buffer, i: number): number {
  let from = i;
  let quote = raw.indexOf(QUOTE, from);
  for (;;) {
    if (quote === -1) throw new JsonShapeError('unterminated string', i);
    // A quote is escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (raw[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    // Each native search costs a call: in a run of escaped quotes close together (`\"\"\"…`, the worst
    // case, one every two bytes) the next one is looked for here, byte by byte, instead.
    const dense = quote - from < NEAR_BYTES;
    from = quote + 1;
    quote = dense ? quoteNear(raw, from) : raw.indexOf(QUOTE, from);
  }
}

/** The next quote at or after `i`, or -1: the next few bytes looked at one by one, then a native search. */
function quoteNear(raw: Buffer, i: number): number {
  const near = Math.min(i + NEAR_BYTES, raw.length);
  for (let j = i; j < near; j++) if (raw[j] === QUOTE) return j;
  return near < raw.length ? raw.indexOf(QUOTE, near) : -1;
}

/** Just past the value starting at `i`: a string, an object or array (its nesting balanced), or a literal. */
function valueEndFrom(raw: Buffer, i: number): number {
  const first = raw[i];
  if (first === QUOTE) return stringEnd(raw, i + 1);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return literalEnd(raw, i);
  // Nested content is only matched, not validated: brackets of either kind must close in order.
  const closers: number[] = [];
  let j = i;
  for (;;) {
    const c = raw[j];
    if (c === undefined) throw new JsonShapeError('unterminated value', i);
    if (c === QUOTE) {
      j = stringEnd(raw, j + 1);
      continue;
    }
    if (c === OPEN_BRACE) closers.push(CLOSE_BRACE);
    else if (c === OPEN_BRACKET) closers.push(CLOSE_BRACKET);
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (closers.pop() !== c) throw new JsonShapeError('mismatched bracket', j);
      if (closers.length === 0) return j + 1;
    }
    j++;
  }
}

/** A number, true, false or null: up to the next separator. */
function literalEnd(raw: Buffer, i: number): number {
  let j = i;
  for (;;) {
    const c = raw[j];
    if (c === undefined || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isWhitespace(c)) break;
    j++;
  }
  if (j === i) throw new JsonShapeError('expected a value', i);
  return j;
}

/** A string token (quotes included), a member name or a value: `what` names it in an error. */
function decodeString(raw: Buffer, start: number, end: number, what: string): string {
  // Most strings hold no escape and are read as they are; one that does is decoded as JSON would.
  return plainString(raw, start, end)
    ? raw.toString('utf8', start + 1, end - 1)
    : (decodeValue(raw, start, end, what) as string);
}

/**
 * A wanted member's value. The common forms (`true`, `false`, a small positive integer, a string with no
 * escape) are read from their bytes, giving what JSON.parse gives; anything else is parsed. On a small
 * request, the native calls a parse takes (decoding the bytes, then parsing them) were most of the cost.
 */
function decodeWanted(raw: Buffer, start: number, end: number, what: string): unknown {
  if (raw[start] === QUOTE) return decodeString(raw, start, end, what);
  if (bytesAre(raw, start, end, 'true')) return true;
  if (bytesAre(raw, start, end, 'false')) return false;
  return smallInteger(raw, start, end) ?? decodeValue(raw, start, end, what);
}

/** Whether the bytes from `start` to `end` are the ASCII `word`. */
function bytesAre(raw: Buffer, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (raw[start + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** A string token (quotes included) with no escape and no control character: its bytes are its text. */
function plainString(raw: Buffer, start: number, end: number): boolean {
  for (let i = start + 1; i < end - 1; i++) {
    const c = raw[i]!;
    if (c === BACKSLASH || c < 0x20) return false;
  }
  return true;
}

/** `1` to `999999999999999` written plainly (no sign, zero, fraction or exponent); undefined otherwise. */
function smallInteger(raw: Buffer, start: number, end: number): number | undefined {
  if (end - start > 15 || raw[start] === DIGIT_ZERO) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = raw[i]! - DIGIT_ZERO;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return end > start ? value : undefined;
}

function decodeValue(raw: Buffer, start: number, end: number, what: string): unknown {
  try {
    return JSON.parse(raw.toString('utf8', start, end));
  } catch {
    throw new JsonShapeError(`${what}: not valid JSON`, start);
  }
}
