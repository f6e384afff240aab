// Claude Code's exact hook output for each event: what an allow, deny, ask, block or extra context
// looks like on the wire. An empty object means "no opinion": Claude Code proceeds as it would.

/** Claude Code caps additionalContext at 10,000 characters. */
export const MAX_ADDITIONAL_CONTEXT = 10_000;

export type HookVerdict =
  | { kind: 'allow'; reason: string }
  | { kind: 'deny'; reason: string }
  | { kind: 'ask'; reason: string }
  | { kind: 'none'; additionalContext?: string }
  | { kind: 'stop'; reason: string };

export type HookResponse = Record<string, unknown>;

export function formatHookResponse(event: string, verdict: HookVerdict): HookResponse {
  if (verdict.kind === 'stop') return { continue: false, stopReason: verdict.reason };
  switch (event) {
    case 'PreToolUse':
      if (verdict.kind === 'none') return {};
      return {
        hookSpecificOutput: {
          hookEventName: 'PreToolUse',
          permissionDecision: verdict.kind,
          permissionDecisionReason: verdict.reason,
        },
      };
    case 'PermissionRequest':
      // Only a definite answer replaces the permission dialog; `ask` lets the dialog show.
      if (verdict.kind === 'allow')
        return {
          hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } },
        };
      if (verdict.kind === 'deny') {
        return {
          hookSpecificOutput: {
            hookEventName: 'PermissionRequest',
            decision: { behavior: 'deny', message: verdict.reason },
          },
        };
      }
      return {};
    case 'UserPromptSubmit':
    case 'PostToolUse':
    case 'PostToolUseFailure':
    case 'Stop':
    case 'SubagentStop':
      if (verdict.kind === 'deny') return { decision: 'block', reason: verdict.reason };
      return withContext(event, verdict);
    case 'SessionStart':
    case 'SubagentStart':
      if (verdict.kind === 'deny') return { continue: false, stopReason: verdict.reason };
      return withContext(event, verdict);
    default:
      return {};
  }
}

function withContext(event: string, verdict: HookVerdict): HookResponse {
  const context = verdict.kind === 'none' ? verdict.additionalContext : undefined;
  if (!context || !['UserPromptSubmit', 'SessionStart', 'SubagentStart', 'PostToolUse'].includes(event))
    return {};
  return {
    hookSpecificOutput: { hookEventName: event, additionalContext: context.slice(0, MAX_ADDITIONAL_CONTEXT) },
  };
}
