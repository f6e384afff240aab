// Frontmatter of the agent definitions (`agents/*.md`) and slash commands (`commands/*.md`) declared
// centrally. An agent's tools and model are not written here: they come from its `agent_routing`
// profile, so the file Claude Code reads and the policy the server enforces are one definition.

import { z } from 'zod';

export const agentFrontmatterSchema = z.strictObject({
  description: z.string().min(1).optional(),
  color: z.string().min(1).optional(),
});

export const commandFrontmatterSchema = z.strictObject({
  description: z.string().min(1).optional(),
  'argument-hint': z.string().min(1).optional(),
  'allowed-tools': z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  model: z.string().min(1).optional(),
});
