// `agent_routing:` in config.yaml: one profile per agent with the tools, files, commands, domains and MCP it may use.

import { z } from 'zod';
import { checkedString, listOf } from '../common-schemas.ts';
import {
  checkCommandRule,
  checkDomain,
  checkFilePattern,
  checkMcpPattern,
  checkToolName,
} from '../permission-patterns.ts';

const agentProfile = z.strictObject({
  description: z.string().optional(),
  model: z.string().min(1).optional(),
  permissions: z
    .strictObject({
      tools: listOf(checkedString(checkToolName)),
      files: listOf(checkedString(checkFilePattern)),
      deny: listOf(checkedString(checkFilePattern)),
      commands: listOf(checkedString(checkCommandRule)),
      domains: listOf(checkedString(checkDomain)),
      mcp: listOf(checkedString(checkMcpPattern)),
    })
    .prefault({}),
});

const AGENT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export const agentRoutingSection = z
  .record(z.string(), agentProfile)
  .superRefine((agents, ctx) => {
    for (const name of Object.keys(agents)) {
      if (!AGENT_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `invalid agent name "${name}"`,
          params: {
            hint: 'use lowercase letters, digits, - and _ (Claude Code subagent names)',
            target: 'key',
          },
        });
      }
    }
  })
  .default({});
