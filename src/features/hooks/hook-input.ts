// The JSON Claude Code sends to a hook (stdin for command hooks, the body for HTTP hooks). Only what
// we read is typed; unknown fields pass through, because newer clients add fields.
import { z } from 'zod';

export const HOOK_EVENTS = [
  'PreToolUse',
  'PermissionRequest',
  'PostToolUse',
  'PostToolUseFailure',
  'UserPromptSubmit',
  'SessionStart',
  'SessionEnd',
  'SubagentStart',
  'SubagentStop',
  'Stop',
  'Notification',
  'PreCompact',
] as const;

export const hookInputSchema = z.looseObject({
  hook_event_name: z.string().min(1),
  session_id: z.string().min(1).max(200),
  cwd: z.string().min(1).max(4096),
  transcript_path: z.string().optional(),
  permission_mode: z.string().optional(),
  prompt_id: z.string().optional(),
  agent_id: z.string().optional(),
  agent_type: z.string().optional(),
  tool_name: z.string().max(256).optional(),
  tool_input: z.record(z.string(), z.unknown()).optional(),
  tool_use_id: z.string().optional(),
  prompt: z.string().optional(),
  source: z.string().optional(),
  reason: z.string().optional(),
});

export type HookInput = z.output<typeof hookInputSchema>;

export type ToolHookInput = HookInput & { tool_name: string; tool_input: Record<string, unknown> };

export function isToolEvent(input: HookInput): input is ToolHookInput {
  return typeof input.tool_name === 'string' && input.tool_input !== undefined;
}
