// The alert metrics read from the usage rollups (gateway and telemetry), for any scope of the org:
// costs in dollars, rates as fractions (`error_rate > 5%` compares with 0.05). Windows: the UTC day so far
// for daily figures, the last hour for hourly cost and context usage, the last 15 minutes for rates.
// No traffic in the window answers undefined, so an alert keeps its state rather than resolving on silence.
import type { PolicyConfig } from '../../config/policy-config.ts';
import type { Granularity, Measures } from '../../core/analytics/rollup.ts';
import type { TelemetryStore } from '../../storage/telemetry-port.ts';
import type { AlertMetricSource } from '../alerts/alert-metric-source.ts';
import { tenantConfig } from '../bundles/tenant-config.ts';
import { scopeFilter } from './budget-forecasts.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Window {
  granularity: Granularity;
  since(now: Date): Date;
}
const TODAY: Window = { granularity: 'day', since: (now) => new Date(Math.floor(now.getTime() / DAY) * DAY) };
const LAST_HOUR: Window = { granularity: 'minute', since: (now) => new Date(now.getTime() - HOUR) };
const LAST_15_MINUTES: Window = {
  granularity: 'minute',
  since: (now) => new Date(now.getTime() - 15 * MINUTE),
};

type Reader = (m: Measures, maxContextTokens: number) => number | undefined;
const rate = (part: number, whole: number) => (whole > 0 ? part / whole : undefined);

/** Each metric an alert condition may name here, with its window. */
const METRICS: Record<string, { window: Window; read: Reader }> = {
  daily_cost: { window: TODAY, read: (m) => m.cost_micro / 1_000_000 },
  hourly_cost: { window: LAST_HOUR, read: (m) => m.cost_micro / 1_000_000 },
  daily_tokens: {
    window: TODAY,
    read: (m) => m.input_tokens + m.output_tokens + m.cache_read_tokens + m.cache_creation_tokens,
  },
  daily_sessions: { window: TODAY, read: (m) => m.sessions },
  error_rate: { window: LAST_15_MINUTES, read: (m) => rate(m.errors, m.requests) },
  tool_failure_rate: { window: LAST_15_MINUTES, read: (m) => rate(m.tool_failures, m.tool_results) },
  rule_compliance: {
    window: LAST_HOUR,
    read: (m) => (m.tool_decisions > 0 ? 1 - m.tool_rejects / m.tool_decisions : undefined),
  },
  context_usage: {
    window: LAST_HOUR,
    read: (m, max) => {
      const calls = m.requests - m.errors;
      if (calls <= 0) return undefined;
      return (m.input_tokens + m.cache_read_tokens + m.cache_creation_tokens) / calls / max;
    },
  },
};

export const ROLLUP_ALERT_METRICS = Object.keys(METRICS);

export function rollupMetricSource(
  telemetry: Pick<TelemetryStore, 'rollups'>,
  content: () => PolicyConfig | undefined,
): AlertMetricSource {
  return {
    async value(metric, scope, tenantId, now) {
      const spec = METRICS[metric];
      if (!spec) return undefined;
      const [total] = await telemetry.rollups(tenantId, {
        granularity: spec.window.granularity,
        since: spec.window.since(now),
        until: new Date(now.getTime() + 1),
        where: scopeFilter(scope),
        groupBy: [],
      });
      if (
        !total ||
        (total.measures.requests === 0 &&
          total.measures.tool_decisions === 0 &&
          total.measures.sessions === 0 &&
          total.measures.tool_results === 0)
      )
        return metric.startsWith('daily_') ? 0 : undefined;
      const loaded = content();
      const max = (loaded && tenantConfig(loaded, tenantId)?.limits.max_context_tokens) || 200_000;
      return spec.read(total.measures, max);
    },
  };
}
