// An agent profile's `permissions.tools` (and `mcp`) as the `tools` list of a Claude Code subagent,
// with the same alias expansion the policy engine applies when it decides the agent's tool calls.
import type { AgentProfile } from '../../../config/policy-config.ts';
import { TOOL_ALIASES } from '../../../core/policy/permission-rule.ts';
import { ownValue } from '../../../core/values/own-value.ts';

/**
 * Claude Code tool names in the order the profile grants them; undefined when the frontmatter should
 * leave `tools` out: the profile lists none, or grants every tool (`*`). The `mcp` alias (every MCP
 * tool) has no subagent spelling and is left out; name servers in `permissions.mcp` to list them.
 */
export function subagentTools(profile: AgentProfile): string[] | undefined {
  const { tools, mcp } = profile.permissions;
  if (tools.length === 0 || tools.includes('*')) return undefined;
  const out = new Set<string>();
  for (const entry of tools) {
    const alias = ownValue(TOOL_ALIASES, entry);
    if (alias) for (const tool of alias) out.add(tool);
    else if (entry !== 'mcp') out.add(entry === 'Task' ? 'Agent' : entry);
  }
  // A server name grants all its tools, as in the policy engine (`github` → `mcp__github__*`).
  for (const entry of mcp) out.add(entry.startsWith('mcp__') ? entry : `mcp__${entry}__*`);
  return [...out];
}
