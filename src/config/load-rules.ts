// Loads markdown rule files with optional YAML frontmatter from rules/, rules-master/ or a tenant's rules/.

import { posix } from 'node:path';
import { displayPath, type LoadContext, listFilesDeep, readText } from './config-files.ts';
import { splitMarkdown } from './markdown-frontmatter.ts';
import type { RuleDocument } from './policy-config.ts';
import { ruleFrontmatterSchema } from './schema/rule-frontmatter-schema.ts';
import { positionOf, reportAt, type SourceFile } from './source-file.ts';
import { validateWith } from './zod-issues.ts';

/** A loaded rule plus where its id came from, for duplicate reports. */
export interface LocatedRule {
  rule: RuleDocument;
  /** The parsed frontmatter, when the file has one. */
  frontmatterSource: SourceFile | undefined;
  /** Whether the id was written in the frontmatter (else it is the file name). */
  idWritten: boolean;
  file: string;
}

export async function loadRules(
  ctx: LoadContext,
  rel: string,
  source: RuleDocument['source'],
): Promise<LocatedRule[]> {
  const out: LocatedRule[] = [];
  for (const path of await listFilesDeep(ctx, rel)) {
    if (!path.endsWith('.md')) {
      ctx.problems.whole(displayPath(ctx, path), 'ignored: rule files are markdown (.md)', {
        severity: 'warning',
      });
      continue;
    }
    const text = await readText(ctx, path);
    if (text === undefined) continue;
    const loaded = parseRuleFile(ctx, path, text, source);
    if (loaded) out.push(loaded);
  }
  return out;
}

function parseRuleFile(
  ctx: LoadContext,
  path: string,
  text: string,
  source: RuleDocument['source'],
): LocatedRule | undefined {
  const file = displayPath(ctx, path);
  const fallbackId = posix.basename(path, '.md');
  const split = splitMarkdown(ctx, path, text);
  if (split.kind === 'broken') return undefined;
  if (split.kind === 'plain') {
    const rule: RuleDocument = { id: fallbackId, path, source, frontmatter: {}, body: text };
    return { rule, frontmatterSource: undefined, idWritten: false, file };
  }
  const { source: parsed, raw, body } = split;
  const frontmatter = validateWith(ruleFrontmatterSchema, raw, parsed, ctx.problems);
  if (!frontmatter) {
    // Still return the rule (the load fails anyway) so its id takes part in the duplicate check.
    const rawId = (raw as { id?: unknown }).id;
    const id = typeof rawId === 'string' ? rawId : fallbackId;
    return {
      rule: { id, path, source, frontmatter: {}, body },
      frontmatterSource: parsed,
      idWritten: typeof rawId === 'string',
      file,
    };
  }
  const { id, title, ...rest } = frontmatter;
  const rule: RuleDocument = { id: id ?? fallbackId, path, source, frontmatter: rest, body };
  if (title !== undefined) rule.title = title;
  return { rule, frontmatterSource: parsed, idWritten: id !== undefined, file };
}

/** Reports rules sharing an id (at the later one) — ids must be unique within one rule set. */
export function checkDuplicateRuleIds(ctx: LoadContext, rules: LocatedRule[]): void {
  const first = new Map<string, LocatedRule>();
  for (const item of rules) {
    const earlier = first.get(item.rule.id);
    if (!earlier) {
      first.set(item.rule.id, item);
      continue;
    }
    const where =
      earlier.idWritten && earlier.frontmatterSource
        ? positionOf(earlier.frontmatterSource, ['id'])
        : undefined;
    const hint = `first defined in ${earlier.file}${where ? `:${where.line}:${where.column}` : ''}`;
    const message = `duplicate rule id "${item.rule.id}"`;
    if (item.idWritten && item.frontmatterSource)
      reportAt(ctx.problems, item.frontmatterSource, ['id'], message, { hint });
    else
      ctx.problems.whole(item.file, message, {
        hint: `${hint}; the id comes from the file name unless frontmatter sets id:`,
      });
  }
}
