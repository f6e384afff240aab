// Reads the usage of a non-streaming Messages API response as its bytes pass by to the client.

import { NO_TOKENS, type TokenUsage } from '../../../core/pricing/usage-cost.ts';
import { readTopLevelMembers } from '../json-top-level.ts';
import { completeUsage, usageFields } from './anthropic-usage.ts';

/** Larger responses are relayed but not read (no Messages API response comes near this). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

/** The members metering reads; the answer's content, most of its bytes, is skipped. */
const READ_MEMBERS: ReadonlySet<string> = new Set(['usage', 'model']);
/**
 * Shorter bodies are parsed whole: below about this size the scan's fixed costs make it the slower of
 * the two (a 288-byte answer: 2.6 µs against 1.5 µs; 4 KB: 2.6 against 6.5 µs; 40 KB: 3.1 against 22 µs).
 */
const SCAN_FROM_BYTES = 2048;

export interface JsonReading {
  usage: TokenUsage;
  model: string | undefined;
  malformed: string | undefined;
}

export class JsonUsageReader {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;

  push(chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#bytes <= MAX_READ_BYTES) this.#chunks.push(chunk);
  }

  /**
   * Usage and model from the whole body; `malformed` when it is not a JSON object. In a longer answer
   * the two members are read from the bytes (json-top-level.ts), which costs a fraction of parsing the
   * answer's text and leaves no copy of it behind; a body that scan refuses (not UTF-8, a member given
   * twice, a name that only differs by case) is parsed whole instead, so those read as they always did.
   */
  reading(): JsonReading {
    if (this.#bytes > MAX_READ_BYTES)
      return { usage: { ...NO_TOKENS }, model: undefined, malformed: 'too large to read' };
    const raw = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#bytes);
    if (raw.length < SCAN_FROM_BYTES) return parsedWhole(raw);
    let members: Map<string, unknown>;
    try {
      members = readTopLevelMembers(raw, READ_MEMBERS);
    } catch {
      return parsedWhole(raw);
    }
    return readingOf(members.get('usage'), members.get('model'));
  }
}

function parsedWhole(raw: Buffer): JsonReading {
  try {
    const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    return readingOf(body.usage, body.model);
  } catch {
    return { usage: { ...NO_TOKENS }, model: undefined, malformed: 'a response body that is not JSON' };
  }
}

function readingOf(usage: unknown, model: unknown): JsonReading {
  return {
    usage: completeUsage(usageFields(usage)),
    model: typeof model === 'string' ? model : undefined,
    malformed: undefined,
  };
}
