// The text a session starts with: the rules that apply, in order, then the tenant's context documents,
// within a character budget. Preloaded rules claim space first; a rule or document that does not fit is
// listed by name with how to fetch it, never cut in the middle.

import type { ContextDocument, RuleDocument } from '../../config/policy-config.ts';
import { appliesTo, isPreload } from './select-rules.ts';

export interface RuleContextInput {
  /** The applicable rules, already in delivery order. */
  rules: readonly RuleDocument[];
  context: readonly ContextDocument[];
  preloadPatterns: readonly string[];
  maxChars: number;
  /** The first line: whose rules these are, under which bundle. */
  heading: string;
  /** How a left-out rule can be read in full, given its id. */
  fetchHint: (id: string) => string;
}

export interface RuleContext {
  text: string;
  /** Paths (relative to the config directory) of the rules and documents included in full. */
  loaded: string[];
  /** Ids of rules (and paths of documents) that did not fit. */
  omitted: string[];
}

/** Claude Code caps a hook's additionalContext at 10,000 characters. */
export const HOOK_CONTEXT_LIMIT = 10_000;
/** The share of the tenant's context window rules may take, at about four characters per token. */
export const RULES_SHARE_OF_CONTEXT = 0.05;
const CHARS_PER_TOKEN = 4;

export function ruleContextBudget(maxContextTokens: number): number {
  return Math.min(
    HOOK_CONTEXT_LIMIT,
    Math.floor(maxContextTokens * RULES_SHARE_OF_CONTEXT * CHARS_PER_TOKEN),
  );
}

interface Piece {
  name: string;
  path: string;
  text: string;
  listing: string;
}

export function composeRuleContext(input: RuleContextInput): RuleContext {
  // Preloaded rules claim their space first; what is included is then shown in delivery order.
  const claimOrder = [
    ...input.rules.filter((r) => isPreload(r, input.preloadPatterns)),
    ...input.rules.filter((r) => !isPreload(r, input.preloadPatterns)),
  ];
  const pieces: (Piece & { order: number })[] = [
    ...claimOrder.map((rule) => ({
      name: rule.id,
      path: rule.path,
      text: ruleSection(rule),
      listing: `- ${rule.id}${rule.title ? ` (${rule.title})` : ''}: ${input.fetchHint(rule.id)}`,
      order: input.rules.indexOf(rule),
    })),
    ...input.context.map((doc, index) => ({
      name: doc.path,
      path: doc.path,
      text: `## Context: ${doc.path.split('/').at(-1)}\n\n${doc.content.trim()}\n`,
      listing: `- context document ${doc.path}`,
      order: input.rules.length + index,
    })),
  ];
  if (pieces.length === 0) return { text: '', loaded: [], omitted: [] };

  const heading = `${input.heading}\n`;
  const omittedTitle = '\n## Not included here (too long for the session start); fetch when relevant\n';
  let used = heading.length;
  const included: (Piece & { order: number })[] = [];
  const left: (Piece & { order: number })[] = [];
  pieces.forEach((piece, index) => {
    // Keep room to list everything after this piece, should none of it fit.
    const after = pieces.slice(index + 1);
    const reserve = [...left, ...after].reduce((sum, p) => sum + p.listing.length + 1, 0);
    const reserveTitle = left.length + after.length > 0 ? omittedTitle.length : 0;
    const cost = piece.text.length + 1;
    if (used + cost + reserve + reserveTitle <= input.maxChars) {
      included.push(piece);
      used += cost;
    } else left.push(piece);
  });
  const byOrder = (a: { order: number }, b: { order: number }) => a.order - b.order;
  included.sort(byOrder);
  left.sort(byOrder);
  let text = heading + included.map((p) => `\n${p.text}`).join('');
  if (left.length > 0) text += `${omittedTitle}${left.map((p) => p.listing).join('\n')}\n`;
  // Listing names alone can exceed a tiny budget: cut the list, never a rule.
  if (text.length > input.maxChars) text = `${text.slice(0, Math.max(0, input.maxChars - 2))}…\n`;
  return { text, loaded: included.map((p) => p.path), omitted: left.map((p) => p.name) };
}

function ruleSection(rule: RuleDocument): string {
  const paths = appliesTo(rule).paths;
  const scope =
    paths && paths.length > 0 ? `\n_Applies when working on files matching ${paths.join(', ')}._\n` : '';
  const { heading, rest } = splitLeadingHeading(rule.body.trim());
  return `## ${rule.title ?? heading ?? rule.id} [${rule.id}]\n${scope}\n${rest}\n`;
}

/** A rule body usually opens with its own `# Title`: it becomes the section heading, not a second one. */
function splitLeadingHeading(body: string): { heading: string | undefined; rest: string } {
  const first = body.split('\n', 1)[0] ?? '';
  const match = /^#\s+(.+)$/.exec(first);
  if (!match) return { heading: undefined, rest: body };
  return { heading: match[1]!.trim(), rest: body.slice(first.length).trimStart() };
}
