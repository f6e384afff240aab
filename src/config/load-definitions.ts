// Loads the agent definitions (`agents/*.md`) and slash commands (`commands/*.md`) declared in the
// config repository, and the shared `context/` documents, all optional.

import { posix } from 'node:path';
import type { z } from 'zod';
import { displayPath, type LoadContext, listFilesDeep, readText } from './config-files.ts';
import { didYouMean } from './did-you-mean.ts';
import { splitMarkdown } from './markdown-frontmatter.ts';
import type { ContextDocument, MainConfig, MarkdownDefinition } from './policy-config.ts';
import { agentFrontmatterSchema, commandFrontmatterSchema } from './schema/definition-frontmatter-schema.ts';
import { validateWith } from './zod-issues.ts';

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

export async function loadAgentDefinitions(ctx: LoadContext, config: MainConfig | undefined) {
  const agents = await loadDefinitions(ctx, 'agents', agentFrontmatterSchema);
  if (!config) return agents;
  const profiles = Object.keys(config.agent_routing);
  for (const agent of agents) {
    if (profiles.includes(agent.name)) continue;
    ctx.problems.whole(displayPath(ctx, agent.path), `agent "${agent.name}" has no agent_routing profile`, {
      hint:
        didYouMean(agent.name, profiles) ??
        `add agent_routing.${agent.name} to config.yaml: its tools and model come from there`,
    });
  }
  return agents;
}

export function loadCommandDefinitions(ctx: LoadContext) {
  return loadDefinitions(ctx, 'commands', commandFrontmatterSchema);
}

export async function loadContextDocuments(ctx: LoadContext, rel: string): Promise<ContextDocument[]> {
  const context: ContextDocument[] = [];
  for (const path of await listFilesDeep(ctx, rel)) {
    const content = await readText(ctx, path);
    if (content !== undefined) context.push({ path, content });
  }
  return context;
}

async function loadDefinitions(
  ctx: LoadContext,
  rel: 'agents' | 'commands',
  schema: z.ZodType<Record<string, unknown>>,
): Promise<MarkdownDefinition[]> {
  const out: MarkdownDefinition[] = [];
  for (const path of await listFilesDeep(ctx, rel)) {
    const file = displayPath(ctx, path);
    const name = posix.basename(path, '.md');
    if (!path.endsWith('.md') || posix.dirname(path) !== rel) {
      ctx.problems.whole(file, `ignored: ${rel}/ holds one markdown file per ${rel.replace(/s$/, '')}`, {
        severity: 'warning',
      });
      continue;
    }
    if (!NAME.test(name)) {
      ctx.problems.whole(file, `invalid ${rel.replace(/s$/, '')} name "${name}"`, {
        hint: 'use lowercase letters, digits, - and _ in the file name',
      });
      continue;
    }
    const text = await readText(ctx, path);
    if (text === undefined) continue;
    const split = splitMarkdown(ctx, path, text);
    if (split.kind === 'broken') continue;
    if (split.kind === 'plain') {
      out.push({ name, path, frontmatter: {}, body: split.body });
      continue;
    }
    const frontmatter = validateWith(schema, split.raw, split.source, ctx.problems);
    if (frontmatter) out.push({ name, path, frontmatter, body: split.body });
  }
  return out;
}
