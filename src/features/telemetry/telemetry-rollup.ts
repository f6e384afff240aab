// What each telemetry event and each gateway usage record adds to the rollups.
import type { RollupContribution } from '../../core/analytics/rollup.ts';
import type { ToolUse } from '../../core/analytics/tool-rollup.ts';
import type { StoredTelemetryEvent } from '../../storage/telemetry-port.ts';

export function telemetryContribution(e: StoredTelemetryEvent): RollupContribution | undefined {
  const agent = typeof e.attributes.agent_type === 'string' ? e.attributes.agent_type : '';
  const dims = {
    business_unit: e.businessUnitId ?? '',
    team: e.teamId ?? '',
    user: e.userId,
    agent,
    model: e.model ?? '',
  };
  const value = e.value ?? 0;
  switch (e.name) {
    case 'api_request':
      // A model call our gateway metered is counted from the gateway's record, not twice.
      if (e.gatewayMetered) return undefined;
      return {
        at: e.at,
        dims,
        measures: {
          requests: 1,
          input_tokens: e.inputTokens,
          output_tokens: e.outputTokens,
          cache_read_tokens: e.cacheReadTokens,
          cache_creation_tokens: e.cacheCreationTokens,
          cost_micro: e.costMicro,
          request_ms: e.durationMs ?? 0,
        },
      };
    case 'api_error':
      if (e.gatewayMetered) return undefined;
      return { at: e.at, dims, measures: { requests: 1, errors: 1, request_ms: e.durationMs ?? 0 } };
    case 'tool_decision':
      return {
        at: e.at,
        dims,
        measures: { tool_decisions: 1, tool_rejects: e.decision === 'reject' ? 1 : 0 },
      };
    case 'tool_result':
      return {
        at: e.at,
        dims,
        measures: { tool_results: 1, tool_failures: e.success === false ? 1 : 0, tool_ms: e.durationMs ?? 0 },
      };
    case 'user_prompt':
      return { at: e.at, dims, measures: { prompts: 1 } };
    case 'metric:session.count':
      return { at: e.at, dims, measures: { sessions: value } };
    case 'metric:lines_of_code.count':
      return {
        at: e.at,
        dims,
        measures: e.attributes.type === 'removed' ? { lines_removed: value } : { lines_added: value },
      };
    case 'metric:active_time.total':
      return { at: e.at, dims, measures: { active_seconds: value } };
    case 'metric:commit.count':
      return { at: e.at, dims, measures: { commits: value } };
    case 'metric:pull_request.count':
      return { at: e.at, dims, measures: { pull_requests: value } };
    default:
      // cost.usage and token.usage repeat what api_request events carry; other events are kept raw only.
      return undefined;
  }
}

/** What a tool_decision or tool_result event adds to the tool rollups. */
export function toolUse(e: StoredTelemetryEvent): ToolUse | undefined {
  if (!e.tool || (e.name !== 'tool_decision' && e.name !== 'tool_result')) return undefined;
  return {
    at: e.at,
    business_unit: e.businessUnitId ?? '',
    team: e.teamId ?? '',
    user: e.userId,
    tool: e.tool,
    measures:
      e.name === 'tool_decision'
        ? { decisions: 1, rejects: e.decision === 'reject' ? 1 : 0 }
        : { results: 1, failures: e.success === false ? 1 : 0, tool_ms: e.durationMs ?? 0 },
  };
}
