// What the gateway needs to know about a Messages API request before forwarding it: the model, whether
// it streams, and roughly how many input tokens it carries. The bytes themselves are forwarded unchanged.

import { isAscii } from 'node:buffer';
import { ValidationError } from '../../core/errors/app-error.ts';
import { hasStringMember, JsonShapeError, readTopLevelMembers } from './json-top-level.ts';

/** Roughly four characters a token, the usual rule of thumb for English text and code. */
const CHARS_PER_TOKEN = 4;
/** An image or document block counts as this many tokens, whatever the size of its base64 data. */
const TOKENS_PER_ATTACHMENT = 1_600;
/** Strings longer than this inside a `source` are base64 payloads, not text the model reads as such. */
const PAYLOAD_CHARS = 1_000;

export interface MessagesRequest {
  model: string;
  stream: boolean;
  /** An estimate, for `limits.max_context_tokens` and budget reservations, not for billing. */
  estimatedInputTokens: number;
  /** `max_tokens`: the most output the request can cost. */
  maxTokens: number | undefined;
}

const LINE_FEED = 0x0a;
const MEMBERS: ReadonlySet<string> = new Set(['model', 'stream', 'max_tokens']);

export function inspectMessagesRequest(raw: Buffer): MessagesRequest {
  // Only the members read are decoded (json-top-level.ts): a conversation is not parsed to forward it.
  let members: Map<string, unknown>;
  try {
    members = readTopLevelMembers(raw, MEMBERS);
  } catch (error) {
    if (error instanceof JsonShapeError)
      throw new ValidationError(`The body is not valid JSON: ${error.message}`);
    throw error;
  }
  const model = members.get('model');
  if (typeof model !== 'string' || model === '') {
    throw new ValidationError('model: Field required', { field: 'model' });
  }
  // A model id is short printable ASCII without spaces; anything else would only poison records and logs.
  if (model.length > 256 || !/^[!-~]+$/.test(model)) {
    throw new ValidationError('model: not a model id', { field: 'model' });
  }
  const maxTokens = members.get('max_tokens');
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && (maxTokens as number) >= 1)) {
    throw new ValidationError('max_tokens: must be a positive integer', { field: 'max_tokens' });
  }
  const stream = members.get('stream');
  // The API takes a boolean; a lenient upstream might read 1 or "true" as one, and stream where we did not.
  if (stream !== undefined && typeof stream !== 'boolean') {
    throw new ValidationError('stream: must be a boolean', { field: 'stream' });
  }
  // A base64 source (an image, a PDF) says `"type": "base64"`.
  const mayCarryPayloads = hasStringMember(raw, 'type', 'base64');
  return {
    model,
    stream: stream === true,
    // A compact body (no line breaks: what the SDKs and Claude Code send) is counted as it is, a few
    // characters of `model` and `max_tokens` over; one that may carry an attachment, or is pretty-printed,
    // is parsed to count what the model reads.
    estimatedInputTokens:
      mayCarryPayloads || raw.includes(LINE_FEED)
        ? estimateInputTokens(parsedMessagesBody(raw), mayCarryPayloads, raw)
        : tokensOfBytes(raw),
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
  };
}

/**
 * A Messages request body parsed whole: for the estimate of a body that may carry attachments, and for a
 * provider that rewrites the body (Bedrock, Vertex). The gateway reads only a body's top level before
 * forwarding it (ADR 0012), so nested content that is not JSON shows here first: a client error (400,
 * our refusal), never an upstream failing, which would count against its circuit breaker and pause it
 * for every caller.
 */
export function parsedMessagesBody(raw: Buffer | undefined): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw?.toString('utf8') ?? '{}');
  } catch (error) {
    throw new ValidationError(`The body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('The body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** A compact body's estimate, from its bytes as they are. */
function tokensOfBytes(raw: Buffer): number {
  return tokensOfJson(characters(raw), raw.length);
}

/** Blocks of a body outside ASCII are decoded to count their characters; the rest are their bytes. */
const CHARACTER_BLOCK_BYTES = 16_384;

/**
 * The UTF-16 length of the body's text, without decoding all of it: a conversation with a few accented
 * letters decodes the blocks that hold them. A character cut by a block boundary counts one or two
 * more, which an estimate can carry.
 */
function characters(raw: Buffer): number {
  if (isAscii(raw)) return raw.length;
  let count = 0;
  for (let at = 0; at < raw.length; at += CHARACTER_BLOCK_BYTES) {
    const block = raw.subarray(at, at + CHARACTER_BLOCK_BYTES);
    count += isAscii(block) ? block.length : block.toString('utf8').length;
  }
  return count;
}

function estimateInputTokens(
  request: Record<string, unknown>,
  mayCarryPayloads: boolean,
  raw: Buffer,
): number {
  let attachments = 0;
  const parts = { system: request.system, messages: request.messages, tools: request.tools };
  let text: string;
  try {
    text = serialized(parts, mayCarryPayloads, () => attachments++);
  } catch (error) {
    // Nesting deep enough to overflow JSON.stringify's recursion (JSON.parse takes it): the bytes as
    // they are, a count that only errs high, rather than a server error.
    if (error instanceof RangeError) return tokensOfBytes(raw);
    throw error;
  }
  return tokensOfJson(text.length, Buffer.byteLength(text, 'utf8')) + attachments * TOKENS_PER_ATTACHMENT;
}

function serialized(parts: object, mayCarryPayloads: boolean, onAttachment: () => void): string {
  // A replacer makes JSON.stringify call back into JavaScript for every value, several times slower on
  // a large conversation; it is only needed when there may be a payload to leave out.
  return !mayCarryPayloads
    ? JSON.stringify(parts)
    : JSON.stringify(parts, function (this: Record<string, unknown>, key, value: unknown) {
        // Only a base64 payload (an image, a PDF) is priced by the attachment, not by its length; a plain
        // text document's `data` is text the model reads, and is counted as such.
        if (
          key === 'data' &&
          this.type === 'base64' &&
          typeof value === 'string' &&
          value.length > PAYLOAD_CHARS
        ) {
          onAttachment();
          return '';
        }
        return value;
      });
}

/**
 * Four characters a token holds for English and code; other scripts take about a token a character or
 * more, so characters outside ASCII (seen as the extra UTF-8 bytes they take) count 1.5 tokens each.
 */
function tokensOfJson(characters: number, utf8Bytes: number): number {
  const nonAscii = Math.ceil((utf8Bytes - characters) / 2);
  return Math.ceil((characters - nonAscii) / CHARS_PER_TOKEN + nonAscii * 1.5);
}
