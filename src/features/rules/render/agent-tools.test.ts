import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../../config/policy-config.ts';
import { subagentTools } from './agent-tools.ts';

const profile = (tools: string[], mcp: string[] = []): AgentProfile => ({
  permissions: { tools, files: [], deny: [], commands: [], domains: [], mcp },
});

describe('subagentTools', () => {
  it('expands the aliases as the policy engine does, once each, in the order granted', () => {
    expect(subagentTools(profile(['search', 'read', 'Grep']))).toEqual([
      'Glob',
      'Grep',
      'LS',
      'Read',
      'NotebookRead',
    ]);
    expect(subagentTools(profile(['bash', 'web', 'Task']))).toEqual([
      'Bash',
      'BashOutput',
      'KillShell',
      'WebFetch',
      'WebSearch',
      'Agent',
    ]);
  });

  it('lists MCP servers and tools from permissions.mcp; a server grants all its tools', () => {
    expect(subagentTools(profile(['Read', 'mcp', 'mcp__x__*'], ['github', 'mcp__jira__get_issue']))).toEqual([
      'Read',
      'mcp__x__*',
      'mcp__github__*',
      'mcp__jira__get_issue',
    ]);
  });

  it('leaves tools out when the profile lists none or grants every tool', () => {
    expect(subagentTools(profile([]))).toBeUndefined();
    expect(subagentTools(profile(['read', '*']))).toBeUndefined();
  });
});
