// Claude Code: `CLAUDE.md` importing each rule that always applies, `.claude/rules/<id>.md` per rule
// (path-scoped ones with Claude Code's `paths:` frontmatter, which it loads itself for matching
// files), and the subagents and slash commands of claude-definitions.ts.
import type { RuleDocument } from '../../../config/policy-config.ts';
import { agentFiles, commandFiles } from './claude-definitions.ts';
import { type FrontmatterField, generatedFile, quotedList } from './frontmatter-text.ts';
import { PROJECT_INTRO } from './inline-rules-document.ts';
import type { PlannedFile, SyncContent, SyncFormat } from './render-types.ts';
import { isPathScoped, pathList, rulePaths } from './rule-text.ts';

export const claudeFormat: SyncFormat = {
  name: 'claude',
  render: (content) => [
    claudeMd(content),
    ...content.rules.map((rule) => ruleFile(content.revision, rule)),
    ...agentFiles(content),
    ...commandFiles(content),
  ],
  locations: [
    { dir: '.claude/rules', suffix: '.md' },
    { dir: '.claude/agents', suffix: '.md' },
    { dir: '.claude/commands', suffix: '.md' },
  ],
};

export function claudeRulePath(rule: RuleDocument): string {
  return `.claude/rules/${rule.id}.md`;
}

function claudeMd(content: SyncContent): PlannedFile {
  const always = content.rules.filter((rule) => !isPathScoped(rule));
  const scoped = content.rules.filter(isPathScoped);
  const parts = [
    `# ${content.orgName} rules`,
    `${PROJECT_INTRO} Each import below is one rule in \`.claude/rules/\`.`,
  ];
  if (always.length > 0) parts.push(always.map((rule) => `@${claudeRulePath(rule)}`).join('\n'));
  if (scoped.length > 0) {
    parts.push(
      'Claude Code loads these path-scoped rules by itself when it works on files they match:',
      scoped.map((rule) => `- \`${claudeRulePath(rule)}\`: ${pathList(rulePaths(rule))}`).join('\n'),
    );
  }
  return { path: 'CLAUDE.md', content: generatedFile(content.revision, [], parts.join('\n\n')) };
}

function ruleFile(revision: string, rule: RuleDocument): PlannedFile {
  const fields: FrontmatterField[] = isPathScoped(rule) ? [quotedList('paths', rulePaths(rule))] : [];
  return { path: claudeRulePath(rule), content: generatedFile(revision, fields, rule.body) };
}
