// Claude Code subagents (`.claude/agents/<name>.md`) for every agent_routing profile, and slash commands
// (`.claude/commands/<name>.md`) declared in the config repository. A subagent's tools and model come
// from its profile, so what Claude Code offers it and what the server allows it are one definition.
import { subagentTools } from './agent-tools.ts';
import { type FrontmatterField, generatedFile } from './frontmatter-text.ts';
import type { AgentToRender, PlannedFile, SyncContent } from './render-types.ts';
import { inlineRule } from './rule-text.ts';

export function agentFiles(content: SyncContent): PlannedFile[] {
  return content.agents.map((agent) => ({
    path: `.claude/agents/${agent.name}.md`,
    content: generatedFile(content.revision, agentFrontmatter(agent), agentBody(agent, content.orgName)),
  }));
}

export function commandFiles(content: SyncContent): PlannedFile[] {
  return content.commands.map((command) => ({
    path: `.claude/commands/${command.name}.md`,
    content: generatedFile(content.revision, Object.entries(command.frontmatter), command.body),
  }));
}

function agentDescription(agent: AgentToRender): string {
  const declared = agent.definition?.frontmatter.description;
  if (typeof declared === 'string') return declared;
  return agent.profile.description ?? `The ${agent.name} agent`;
}

function agentFrontmatter(agent: AgentToRender): FrontmatterField[] {
  return [
    ['name', agent.name],
    ['description', agentDescription(agent)],
    ['tools', subagentTools(agent.profile)?.join(', ')],
    ['model', agent.profile.model],
    ['color', agent.definition?.frontmatter.color],
  ];
}

function agentBody(agent: AgentToRender, orgName: string): string {
  const declared = agent.definition?.body.trim();
  const body =
    declared ||
    [
      `You are the ${agent.name} agent of ${orgName}: ${agentDescription(agent).replace(/\.$/, '')}.`,
      "Work within this agent's permissions. The organisation's policy checks every tool call; when a call is refused, report it instead of looking for another way.",
    ].join('\n\n');
  if (agent.rules.length === 0) return body;
  return [
    body,
    `## Rules for the ${agent.name} agent`,
    ...agent.rules.map((rule) => inlineRule(rule, 3)),
  ].join('\n\n');
}
