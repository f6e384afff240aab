// Follows a Messages API event stream as its bytes pass by, for metering: the input side of the usage
// from `message_start`, the cumulative output from each `message_delta`, and how much content has been
// streamed so far, so that a stream cut short can still be billed a floor. It only reads: the bytes go
// to the client untouched and unheld, whatever it makes of them.

import { StringDecoder } from 'node:string_decoder';
import type { TokenUsage } from '../../../core/pricing/usage-cost.ts';
import { completeUsage, usageFields } from './anthropic-usage.ts';
import { contentDeltaChars, deltaChars, NOT_READ } from './content-delta.ts';

/** Roughly four characters a token: the floor estimate for content streamed without a final count. */
const CHARS_PER_TOKEN = 4;
/** An event larger than this without a blank line is not an event stream. */
const MAX_PENDING_CHARS = 8 * 1024 * 1024;
const CARRIAGE_RETURN = 13;
const LINE_FEED = 10;
/** CRLF or a CR alone. */
const CR_LINE_ENDS = /\r\n?/g;
const BYTE_ORDER_MARK = 0xfeff;
const MESSAGE_STOP = '{"type":"message_stop"}';
/** A ping, a block's end, and a text block's empty start, as the API writes them. */
const INERT_EVENT =
  /^\{"type":"(?:ping"|content_block_stop","index":(?:0|[1-9][0-9]*)|content_block_start","index":(?:0|[1-9][0-9]*),"content_block":\{"type":"text","text":""\})\}$/;
const MAX_INERT_LENGTH = 128;

export interface StreamReading {
  /** The model named by `message_start`. */
  model: string | undefined;
  /** Usage as last reported, with the output raised to the floor estimate when that is higher. */
  usage: TokenUsage;
  /** `message_stop` was seen: the upstream said it had finished. */
  complete: boolean;
  /** The upstream sent an `error` event (overloaded mid-stream, …). */
  upstreamError: string | undefined;
  /** Why the stream could not be read as Messages API events, if it could not. */
  malformed: string | undefined;
}

export class SseUsageReader {
  // StringDecoder rather than TextDecoder: a third of the cost per chunk, and it keeps a character split
  // across two chunks the same way.
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';
  #first = true;
  #afterCarriageReturn = false;
  #event = '';
  /** The event's data lines joined by newlines; undefined before its first (most events have one). */
  #data: string | undefined;
  #reported: Partial<TokenUsage> = {};
  #contentChars = 0;
  #model: string | undefined;
  #complete = false;
  #upstreamError: string | undefined;
  #malformed: string | undefined;

  push(chunk: Uint8Array): void {
    if (this.#malformed) return;
    // Lines are cut from one string by index: slicing the rest off after every line copied it each time.
    let text = this.#pending + this.#decoder.write(chunk);
    // A CR that ended the last chunk ended its line: an LF opening this one is the rest of that CRLF.
    if (this.#afterCarriageReturn && text.length > 0) {
      this.#afterCarriageReturn = false;
      if (text.charCodeAt(0) === LINE_FEED) text = text.slice(1);
    }
    // A byte-order mark before the first line is not part of it (the SSE format says to drop it).
    if (this.#first && text.length > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === BYTE_ORDER_MARK) text = text.slice(1);
    }
    // The SSE format ends a line with CRLF, LF or a CR alone. Anthropic's streams use LF; any CR makes
    // every line end an LF first, so the loop below looks for LF only.
    if (text.includes('\r')) {
      this.#afterCarriageReturn = text.charCodeAt(text.length - 1) === CARRIAGE_RETURN;
      text = text.replace(CR_LINE_ENDS, '\n');
    }
    let start = 0;
    // At an event's start, whole events in the form the API writes them, `event: NAME\ndata: DATA\n\n`,
    // are taken two lines at a time: what the line-by-line reading below makes of them, for a third of
    // its cost (two searches an event rather than three, and no field handling). Anything else, or an
    // event the chunk does not hold whole, goes to the lines.
    if (this.#data === undefined && this.#event === '') {
      while (text.startsWith('event: ', start)) {
        const nameEnd = text.indexOf('\n', start + 7);
        if (nameEnd === -1 || !text.startsWith('data: ', nameEnd + 1)) break;
        const dataEnd = text.indexOf('\n', nameEnd + 7);
        if (dataEnd === -1 || text.charCodeAt(dataEnd + 1) !== LINE_FEED) break;
        this.#handle(text.slice(nameEnd + 7, dataEnd), text, start + 7, nameEnd);
        if (this.#malformed) return;
        start = dataEnd + 2;
      }
    }
    let newline = text.indexOf('\n', start);
    while (newline !== -1) {
      this.#line(text, start, newline);
      if (this.#malformed) return;
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.#pending = start === 0 ? text : text.slice(start);
    if (this.#pending.length > MAX_PENDING_CHARS) this.#malformed = 'an event line longer than 8 MB';
  }

  /** The stream ended (or was cut): an event not yet closed by a blank line still counts. */
  end(): void {
    // Once malformed, nothing more is read: the partial line held back before the broken chunk, read
    // now, ended an event of its own and replaced why the stream was malformed (the event's name lost).
    if (this.#malformed) return;
    this.#pending += this.#decoder.end();
    if (this.#pending) this.#line(this.#pending, 0, this.#pending.length);
    this.#pending = '';
    this.#dispatch();
  }

  /** Why the stream could not be read, as soon as it could not (checked on every chunk). */
  get malformed(): string | undefined {
    return this.#malformed;
  }

  reading(): StreamReading {
    const usage: TokenUsage = completeUsage(this.#reported);
    const floor = Math.ceil(this.#contentChars / CHARS_PER_TOKEN);
    if (!this.#complete && floor > usage.output) usage.output = floor;
    return {
      model: this.#model,
      usage,
      complete: this.#complete,
      upstreamError: this.#upstreamError,
      malformed: this.#malformed,
    };
  }

  /**
   * The line text[start, end), read where it lies: an answer streams hundreds of events of two or three
   * lines each, and slicing each line out before reading its value made a string more for every line
   * (in all, 480 bytes allocated an event became 414). A field name has no line break in it, so a name
   * matched at `start` lies within the line.
   */
  #line(text: string, start: number, end: number): void {
    if (end === start) {
      this.#dispatch();
      return;
    }
    // The two fields read, matched in place (a comment, `:`, or any other field is skipped).
    if (text.startsWith('data:', start)) this.#addData(fieldValue(text, start + 5, end));
    else if (text.startsWith('event:', start)) this.#event = fieldValue(text, start + 6, end);
    else if (end - start === 4 && text.startsWith('data', start)) this.#addData('');
    else if (end - start === 5 && text.startsWith('event', start)) this.#event = '';
  }

  #addData(value: string): void {
    this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
  }

  #dispatch(): void {
    const data = this.#data;
    if (data === undefined) {
      this.#event = '';
      return;
    }
    const name = this.#event;
    this.#event = '';
    this.#data = undefined;
    this.#handle(data, name, 0, name.length);
  }

  /** An event's data; its name is `names[nameStart, nameEnd)`, only read to say which event was malformed. */
  #handle(data: string, names: string, nameStart: number, nameEnd: number): void {
    // Most events of an answer are content deltas: counted without a parse when their form allows.
    const chars = contentDeltaChars(data);
    if (chars !== NOT_READ) {
      this.#contentChars += chars;
      return;
    }
    // Every answer's frame: the end, and events that carry nothing metered, in the exact text the API
    // writes (each a JSON object, so nothing malformed passes); any other form is parsed.
    if (data === MESSAGE_STOP) {
      this.#complete = true;
      return;
    }
    if (data.length <= MAX_INERT_LENGTH && INERT_EVENT.test(data)) return;
    let event: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(data);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      event = parsed as Record<string, unknown>;
    } catch {
      const name = names.slice(nameStart, nameEnd);
      this.#malformed = `an event${name ? ` "${name}"` : ''} whose data is not a JSON object`;
      return;
    }
    this.#apply(event);
  }

  #apply(event: Record<string, unknown>): void {
    switch (event.type) {
      case 'message_start': {
        const message = event.message as Record<string, unknown> | undefined;
        if (typeof message?.model === 'string') this.#model = message.model;
        Object.assign(this.#reported, usageFields(message?.usage));
        return;
      }
      case 'message_delta':
        // Cumulative: each one restates the totals so far.
        Object.assign(this.#reported, usageFields(event.usage));
        return;
      case 'content_block_delta':
        this.#contentChars += deltaChars(event.delta);
        return;
      case 'message_stop':
        this.#complete = true;
        return;
      case 'error': {
        const error = event.error as Record<string, unknown> | undefined;
        this.#upstreamError = typeof error?.type === 'string' ? error.type : 'error';
        return;
      }
      default:
    }
  }
}

/** A field's value: from after its colon to the line's end, less one leading space. */
function fieldValue(text: string, colonEnd: number, end: number): string {
  return colonEnd < end && text.charCodeAt(colonEnd) === SPACE
    ? text.slice(colonEnd + 1, end)
    : text.slice(colonEnd, end);
}

const SPACE = 32;
