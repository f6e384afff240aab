// One markdown document holding the rules themselves, for tools that read a single file: AGENTS.md,
// Copilot's repository-wide instructions, the policy CLAUDE.md of a machine. Path-scoped rules follow
// under a note, each naming its paths.
import type { RuleDocument } from '../../../config/policy-config.ts';
import { generatedFile } from './frontmatter-text.ts';
import { inlineRule, isPathScoped } from './rule-text.ts';

export const PROJECT_INTRO = "The organisation's rules for this project, from its policy.";

export interface InlineDocument {
  revision: string;
  title: string;
  intro: string;
  rules: readonly RuleDocument[];
}

export function inlineRulesDocument(document: InlineDocument): string {
  const always = document.rules.filter((rule) => !isPathScoped(rule));
  const scoped = document.rules.filter(isPathScoped);
  const parts = [`# ${document.title}`, document.intro, ...always.map((rule) => inlineRule(rule, 2))];
  if (scoped.length > 0) {
    parts.push(
      '## Rules for some paths',
      'Each rule below applies only to the files matching the paths it names.',
      ...scoped.map((rule) => inlineRule(rule, 3)),
    );
  }
  return generatedFile(document.revision, [], parts.join('\n\n'));
}
