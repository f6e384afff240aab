// OTLP logs and metrics from Claude Code → TelemetryEvents. Attribute values are read defensively
// (clients send what they send); the prompt text Claude Code may include (OTEL_LOG_USER_PROMPTS) and
// any attribute not on the allow-list are dropped, so no prompt or secret is stored.

import type { TelemetryEvent, TelemetryScalar } from '../../storage/telemetry-port.ts';
import type { OtlpAnyValue, OtlpKeyValue, OtlpLogsRequest, OtlpMetricsRequest } from './otlp-types.ts';

/** Attributes kept as reported (everything else is dropped; values cut to 200 characters). */
const KEPT = new Set([
  'department',
  'team.id',
  'cost_center',
  'service.version',
  'os.type',
  'terminal.type',
  'event.sequence',
  'prompt_length',
  'query_source',
  'effort',
  'speed',
  'source',
  'tool_source',
  'permission_mode',
  'error',
  'status_code',
  'attempt',
  'type',
  'start_type',
  'language',
  'agent_type',
  'subagent_type',
  'hook_event',
]);
const MAX_ATTRIBUTES = 32;

export function scalar(value: OtlpAnyValue | undefined): TelemetryScalar | undefined {
  if (!value || typeof value !== 'object') return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (typeof value.doubleValue === 'number') return value.doubleValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function attributeMap(...lists: (OtlpKeyValue[] | undefined)[]): Map<string, TelemetryScalar> {
  const out = new Map<string, TelemetryScalar>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const kv of list) {
      if (!kv || typeof kv.key !== 'string') continue;
      const v = scalar(kv.value);
      if (v !== undefined) out.set(kv.key, v);
    }
  }
  return out;
}

const text = (m: Map<string, TelemetryScalar>, key: string): string | null => {
  const v = m.get(key);
  return v === undefined || v === '' ? null : String(v).slice(0, 200);
};
const num = (m: Map<string, TelemetryScalar>, key: string): number => {
  const v = Number(m.get(key));
  return Number.isFinite(v) && v > 0 ? v : 0;
};
/** Counts and milliseconds are stored as integers, whatever the client sent. */
const whole = (m: Map<string, TelemetryScalar>, key: string): number => Math.round(num(m, key));

function nanosToDate(value: string | number | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const ms = Number(BigInt.asUintN(64, BigInt(String(value).split('.')[0] || '0')) / 1_000_000n);
  return ms > 0 ? new Date(ms) : fallback;
}

function kept(m: Map<string, TelemetryScalar>): Record<string, TelemetryScalar> {
  const out: Record<string, TelemetryScalar> = {};
  let n = 0;
  for (const [key, value] of m) {
    if (!KEPT.has(key) || n >= MAX_ATTRIBUTES) continue;
    out[key] = typeof value === 'string' ? value.slice(0, 200) : value;
    n++;
  }
  return out;
}

function base(name: string, at: Date, m: Map<string, TelemetryScalar>): TelemetryEvent {
  return {
    at,
    name,
    sessionId: text(m, 'session.id'),
    promptId: text(m, 'prompt.id'),
    model: text(m, 'model'),
    tool: text(m, 'tool_name'),
    decision: null,
    success: null,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    costMicro: 0,
    durationMs: null,
    value: null,
    attributes: kept(m),
  };
}

export function eventsFromLogs(request: OtlpLogsRequest, received: Date): TelemetryEvent[] {
  const out: TelemetryEvent[] = [];
  for (const rl of Array.isArray(request?.resourceLogs) ? request.resourceLogs : []) {
    for (const sl of Array.isArray(rl?.scopeLogs) ? rl.scopeLogs : []) {
      for (const record of Array.isArray(sl?.logRecords) ? sl.logRecords : []) {
        if (!record || typeof record !== 'object') continue;
        const m = attributeMap(rl.resource?.attributes, record.attributes);
        const raw = text(m, 'event.name') ?? String(scalar(record.body) ?? record.eventName ?? '');
        const name = raw.replace(/^claude_code\./, '');
        if (!/^[a-z_.]{1,64}$/.test(name)) continue;
        const when = m.get('event.timestamp');
        const at =
          typeof when === 'string' && !Number.isNaN(Date.parse(when))
            ? new Date(when)
            : nanosToDate(record.timeUnixNano, received);
        const event = base(name, at, m);
        if (name === 'api_request' || name === 'api_error') {
          event.inputTokens = whole(m, 'input_tokens');
          event.outputTokens = whole(m, 'output_tokens');
          event.cacheReadTokens = whole(m, 'cache_read_tokens');
          event.cacheCreationTokens = whole(m, 'cache_creation_tokens');
          const micros = num(m, 'cost_usd_micros');
          event.costMicro = Math.round(micros > 0 ? micros : num(m, 'cost_usd') * 1_000_000);
          event.durationMs = whole(m, 'duration_ms') || null;
          event.success = name === 'api_request';
        } else if (name === 'tool_decision') {
          event.decision = text(m, 'decision');
        } else if (name === 'tool_result') {
          const success = m.get('success');
          event.success = success === true || success === 'true';
          event.decision = event.success ? 'true' : 'false';
          event.durationMs = whole(m, 'duration_ms') || null;
        }
        out.push(event);
      }
    }
  }
  return out;
}

/** Metric names whose points are kept; others (and cumulative series) are skipped. */
const METRICS = new Set([
  'claude_code.session.count',
  'claude_code.lines_of_code.count',
  'claude_code.active_time.total',
  'claude_code.cost.usage',
  'claude_code.token.usage',
  'claude_code.commit.count',
  'claude_code.pull_request.count',
  'claude_code.code_edit_tool.decision',
]);

export interface MetricsMapping {
  events: TelemetryEvent[];
  /** Points of cumulative series, which need per-series state this receiver does not keep. */
  skippedCumulative: number;
}

export function eventsFromMetrics(request: OtlpMetricsRequest, received: Date): MetricsMapping {
  const events: TelemetryEvent[] = [];
  let skippedCumulative = 0;
  for (const rm of Array.isArray(request?.resourceMetrics) ? request.resourceMetrics : []) {
    for (const sm of Array.isArray(rm?.scopeMetrics) ? rm.scopeMetrics : []) {
      for (const metric of Array.isArray(sm?.metrics) ? sm.metrics : []) {
        if (!metric || typeof metric.name !== 'string' || !METRICS.has(metric.name)) continue;
        const sum = metric.sum;
        if (!sum || !Array.isArray(sum.dataPoints)) continue;
        if (sum.aggregationTemporality === 2) {
          skippedCumulative += sum.dataPoints.length;
          continue;
        }
        for (const point of sum.dataPoints) {
          const value = Number(point?.asDouble ?? point?.asInt);
          if (!Number.isFinite(value)) continue;
          const m = attributeMap(rm.resource?.attributes, point.attributes);
          const event = base(
            `metric:${metric.name.replace(/^claude_code\./, '')}`,
            nanosToDate(point.timeUnixNano, received),
            m,
          );
          event.value = value;
          event.decision = text(m, 'decision');
          events.push(event);
        }
      }
    }
  }
  return { events, skippedCumulative };
}
