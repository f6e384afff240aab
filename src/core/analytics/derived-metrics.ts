// The metric sets of the deployment guide and the scaling templates, computed from summed rollup
// measures: rates and averages are ratios of sums (never averages of averages), undefined → null.
import type { Measures } from './rollup.ts';

export interface DerivedMetrics {
  cost_usd: number;
  tokens: number;
  error_rate: number | null;
  /** Share of tool calls that needed no refusal (1 − rejected ÷ decided). */
  rule_compliance_rate: number | null;
  avg_request_ms: number | null;
  /** Tool execution latency. */
  avg_tool_ms: number | null;
  tool_failure_rate: number | null;
  cost_per_session_usd: number | null;
  /** Mean prompt size per model call as a share of the tenant's context window (limits.max_context_tokens). */
  context_usage_pct: number | null;
  /** Token consumption rate over the window asked for. */
  tokens_per_hour: number;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const round = (n: number | null, digits = 6): number | null =>
  n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits;

export function derivedMetrics(
  m: Measures,
  context: { maxContextTokens: number; hours: number },
): DerivedMetrics {
  const promptTokens = m.input_tokens + m.cache_read_tokens + m.cache_creation_tokens;
  const tokens = promptTokens + m.output_tokens;
  const perRequest = ratio(promptTokens, m.requests - m.errors);
  return {
    cost_usd: m.cost_micro / 1_000_000,
    tokens,
    error_rate: round(ratio(m.errors, m.requests)),
    rule_compliance_rate: round(m.tool_decisions > 0 ? 1 - m.tool_rejects / m.tool_decisions : null),
    avg_request_ms: round(ratio(m.request_ms, m.requests), 1),
    avg_tool_ms: round(ratio(m.tool_ms, m.tool_results), 1),
    tool_failure_rate: round(ratio(m.tool_failures, m.tool_results)),
    cost_per_session_usd: round(ratio(m.cost_micro / 1_000_000, m.sessions)),
    context_usage_pct: round(perRequest === null ? null : (perRequest / context.maxContextTokens) * 100, 2),
    tokens_per_hour: round(context.hours > 0 ? tokens / context.hours : 0, 2) ?? 0,
  };
}
