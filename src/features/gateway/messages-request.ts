// What the gateway needs to know about a Messages API request before forwarding it: the model, whether
// it streams, and roughly how many input tokens it carries. The bytes themselves are forwarded unchanged.

import { ValidationError } from '../../core/errors/app-error.ts';

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

/** Where a body may carry a base64 payload; without one, the estimate needs no look inside strings. */
const BASE64_SOURCE = /"type"\s*:\s*"base64"/;
const LINE_FEED = 0x0a;

export function inspectMessagesRequest(raw: Buffer): MessagesRequest {
  let body: unknown;
  const text = raw.toString('utf8');
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`The body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('The body must be a JSON object.');
  }
  const request = body as Record<string, unknown>;
  if (typeof request.model !== 'string' || request.model === '') {
    throw new ValidationError('model: Field required', { field: 'model' });
  }
  // A model id is short printable ASCII without spaces; anything else would only poison records and logs.
  if (request.model.length > 256 || !/^[!-~]+$/.test(request.model)) {
    throw new ValidationError('model: not a model id', { field: 'model' });
  }
  if (
    request.max_tokens !== undefined &&
    !(Number.isInteger(request.max_tokens) && (request.max_tokens as number) >= 1)
  ) {
    throw new ValidationError('max_tokens: must be a positive integer', { field: 'max_tokens' });
  }
  const mayCarryPayloads = BASE64_SOURCE.test(text);
  return {
    model: request.model,
    stream: request.stream === true,
    // A compact body (no line breaks: what the SDKs and Claude Code send) is counted as it is, a few
    // characters of `model` and `max_tokens` over; re-serializing the conversation cost more than parsing it.
    estimatedInputTokens:
      mayCarryPayloads || raw.includes(LINE_FEED)
        ? estimateInputTokens(request, mayCarryPayloads)
        : tokensOfJson(text, raw.length),
    maxTokens: typeof request.max_tokens === 'number' ? request.max_tokens : undefined,
  };
}

function estimateInputTokens(request: Record<string, unknown>, mayCarryPayloads: boolean): number {
  let attachments = 0;
  const parts = { system: request.system, messages: request.messages, tools: request.tools };
  // A replacer makes JSON.stringify call back into JavaScript for every value, several times slower on
  // a large conversation; it is only needed when there may be a payload to leave out.
  const text = !mayCarryPayloads
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
          attachments++;
          return '';
        }
        return value;
      });
  return tokensOfJson(text, Buffer.byteLength(text, 'utf8')) + attachments * TOKENS_PER_ATTACHMENT;
}

/**
 * Four characters a token holds for English and code; other scripts take about a token a character or
 * more, so characters outside ASCII (seen as the extra UTF-8 bytes they take) count 1.5 tokens each.
 */
function tokensOfJson(text: string, utf8Bytes: number): number {
  const nonAscii = Math.ceil((utf8Bytes - text.length) / 2);
  return Math.ceil((text.length - nonAscii) / CHARS_PER_TOKEN + nonAscii * 1.5);
}
