// Reads token usage out of the Messages API's `usage` objects (a response, `message_start`, `message_delta`).

import type { TokenUsage } from '../../../core/pricing/usage-cost.ts';

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;

/**
 * The fields present in one `usage` object; absent fields stay undefined so a later event can fill
 * them without zeroing what an earlier one said. Cache writes split by lifetime when the upstream says
 * so (`cache_creation.ephemeral_1h_input_tokens`); otherwise they are all 5-minute writes.
 */
export function usageFields(usage: unknown): Partial<TokenUsage> {
  if (typeof usage !== 'object' || usage === null) return {};
  const u = usage as Record<string, unknown>;
  const fields: Partial<TokenUsage> = {};
  const input = count(u.input_tokens);
  if (input !== undefined) fields.input = input;
  const output = count(u.output_tokens);
  if (output !== undefined) fields.output = output;
  const read = count(u.cache_read_input_tokens);
  if (read !== undefined) fields.cacheRead = read;
  const written = count(u.cache_creation_input_tokens);
  if (written !== undefined) {
    const split =
      typeof u.cache_creation === 'object' && u.cache_creation !== null ? u.cache_creation : undefined;
    const oneHour = count((split as Record<string, unknown> | undefined)?.ephemeral_1h_input_tokens) ?? 0;
    fields.cacheWrite1h = Math.min(oneHour, written);
    fields.cacheWrite5m = written - fields.cacheWrite1h;
  }
  return fields;
}

/** Every kind, zero where the upstream said nothing (written out: a spread of partial objects is slow). */
export function completeUsage(fields: Partial<TokenUsage>): TokenUsage {
  return {
    input: fields.input ?? 0,
    output: fields.output ?? 0,
    cacheWrite5m: fields.cacheWrite5m ?? 0,
    cacheWrite1h: fields.cacheWrite1h ?? 0,
    cacheRead: fields.cacheRead ?? 0,
  };
}
