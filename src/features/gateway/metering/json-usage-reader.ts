// Reads the usage of a non-streaming Messages API response as its bytes pass by to the client.

import { NO_TOKENS, type TokenUsage } from '../../../core/pricing/usage-cost.ts';
import { completeUsage, usageFields } from './anthropic-usage.ts';

/** Larger responses are relayed but not read (no Messages API response comes near this). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

export class JsonUsageReader {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;

  push(chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#bytes <= MAX_READ_BYTES) this.#chunks.push(chunk);
  }

  /** Usage and model from the whole body; `malformed` when it is not a JSON object. */
  reading(): { usage: TokenUsage; model: string | undefined; malformed: string | undefined } {
    if (this.#bytes > MAX_READ_BYTES)
      return { usage: { ...NO_TOKENS }, model: undefined, malformed: 'too large to read' };
    try {
      const body = JSON.parse(Buffer.concat(this.#chunks).toString('utf8')) as Record<string, unknown>;
      return {
        usage: completeUsage(usageFields(body.usage)),
        model: typeof body.model === 'string' ? body.model : undefined,
        malformed: undefined,
      };
    } catch {
      return { usage: { ...NO_TOKENS }, model: undefined, malformed: 'a response body that is not JSON' };
    }
  }
}
