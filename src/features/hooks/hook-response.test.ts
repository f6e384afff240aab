import { describe, expect, it } from 'vitest';
import { hookEventFixtures } from '../../../test/support/claude-code-fixtures.ts';
import { hookInputSchema } from './hook-input.ts';
import { formatHookResponse, MAX_ADDITIONAL_CONTEXT } from './hook-response.ts';

const fixtureLines = hookEventFixtures();

describe('hook input', () => {
  it('accepts every captured Claude Code hook event, keeping unknown fields', () => {
    expect(fixtureLines.length).toBeGreaterThan(10);
    for (const line of fixtureLines) {
      const parsed = hookInputSchema.parse(line);
      expect(parsed.hook_event_name).toBe(line.hook_event_name);
      expect(parsed).toEqual(line);
    }
  });

  it('names the missing field of a malformed event', () => {
    const result = hookInputSchema.safeParse({ hook_event_name: 'PreToolUse', cwd: '/x' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['session_id']);
  });
});

describe('hook responses in Claude Code format', () => {
  it('answers PreToolUse with permissionDecision and its reason', () => {
    expect(formatHookResponse('PreToolUse', { kind: 'deny', reason: 'no .env' })).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: 'no .env',
      },
    });
    expect(formatHookResponse('PreToolUse', { kind: 'ask', reason: 'confirm' })).toMatchObject({
      hookSpecificOutput: { permissionDecision: 'ask' },
    });
    expect(formatHookResponse('PreToolUse', { kind: 'none' })).toEqual({});
  });

  it('answers PermissionRequest with a behavior, and stays silent on ask', () => {
    expect(formatHookResponse('PermissionRequest', { kind: 'deny', reason: 'r' })).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PermissionRequest',
        decision: { behavior: 'deny', message: 'r' },
      },
    });
    expect(formatHookResponse('PermissionRequest', { kind: 'allow', reason: 'r' })).toEqual({
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } },
    });
    expect(formatHookResponse('PermissionRequest', { kind: 'ask', reason: 'r' })).toEqual({});
  });

  it('blocks prompts and post-tool results with decision/reason', () => {
    expect(formatHookResponse('UserPromptSubmit', { kind: 'deny', reason: 'credential' })).toEqual({
      decision: 'block',
      reason: 'credential',
    });
    expect(formatHookResponse('PostToolUse', { kind: 'deny', reason: 'limit' })).toEqual({
      decision: 'block',
      reason: 'limit',
    });
  });

  it('adds context at session start, capped at 10,000 characters', () => {
    const response = formatHookResponse('SessionStart', {
      kind: 'none',
      additionalContext: 'x'.repeat(12_000),
    });
    const output = response.hookSpecificOutput as { hookEventName: string; additionalContext: string };
    expect(output.hookEventName).toBe('SessionStart');
    expect(output.additionalContext).toHaveLength(MAX_ADDITIONAL_CONTEXT);
    expect(formatHookResponse('SessionStart', { kind: 'deny', reason: 'quota' })).toEqual({
      continue: false,
      stopReason: 'quota',
    });
  });

  it('says nothing for events that take no decision', () => {
    for (const event of ['SessionEnd', 'Notification', 'PreCompact', 'SomethingNew']) {
      expect(formatHookResponse(event, { kind: 'deny', reason: 'x' })).toEqual({});
    }
  });
});
