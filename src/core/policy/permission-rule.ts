// Parses a Claude Code permission rule (`Read(./.env)`, `Bash(git push:*)`, `mcp__github__*`) into what it matches.

import {
  compileCommandPattern,
  compileDomainPattern,
  compileNamePattern,
  type TextMatcher,
} from './command-pattern.ts';
import { compilePathPattern, literalHead, literalPath, type PathMatcher } from './path-pattern.ts';

/** What a rule applies to; `index` is where compile-policy files it, so a decision reads only its bucket. */
export type RuleTarget =
  | { kind: 'tool'; index: string }
  | { kind: 'path'; index: string; match: PathMatcher; head: string | undefined; literal: string | undefined }
  | { kind: 'command'; index: 'command'; match: TextMatcher; head: string | undefined }
  | { kind: 'domain'; index: 'domain'; match: TextMatcher }
  | { kind: 'name'; index: string; match: TextMatcher }
  | { kind: 'never'; index: 'never' };

/** Claude Code's built-in tools that take a file path: their rules are path patterns. */
export const FILE_TOOL_NAMES = [
  'Read',
  'Edit',
  'Write',
  'MultiEdit',
  'NotebookEdit',
  'NotebookRead',
  'Glob',
  'Grep',
  'LS',
] as const;

/** Claude Code's built-in tool names, as they appear in hook `tool_name` and permission rules. */
export const CLAUDE_CODE_TOOLS = [
  ...FILE_TOOL_NAMES,
  'Bash',
  'BashOutput',
  'KillShell',
  'WebFetch',
  'WebSearch',
  'Task',
  'Agent',
  'TodoWrite',
  'ExitPlanMode',
  'Skill',
  'SlashCommand',
] as const;

export const FILE_TOOLS: ReadonlySet<string> = new Set(FILE_TOOL_NAMES);
const KNOWN_TOOLS: ReadonlySet<string> = new Set(CLAUDE_CODE_TOOLS);

/** `Tool` or `Tool(specifier)`; anything else (a bare glob in an agent profile) is a path pattern. */
export function parsePermissionRule(rule: string, caseInsensitive: boolean): RuleTarget {
  const open = rule.indexOf('(');
  const tool = open === -1 ? rule : rule.slice(0, open);
  if (tool.startsWith('mcp__')) {
    return tool.includes('*')
      ? { kind: 'name', index: 'mcp', match: compileNamePattern(tool) }
      : { kind: 'tool', index: `tool:${tool}` };
  }
  if (open === -1 || !rule.endsWith(')')) return { kind: 'tool', index: `tool:${canonicalTool(tool)}` };
  const spec = rule.slice(open + 1, -1);
  if (spec === '*' && !FILE_TOOLS.has(tool)) return { kind: 'tool', index: `tool:${canonicalTool(tool)}` };
  if (FILE_TOOLS.has(tool)) {
    return pathTarget(`path:${tool}`, spec, caseInsensitive);
  }
  if (tool === 'Bash') {
    return { kind: 'command', index: 'command', match: compileCommandPattern(spec), head: commandHead(spec) };
  }
  if ((tool === 'WebFetch' || tool === 'WebSearch') && spec.startsWith('domain:')) {
    return { kind: 'domain', index: 'domain', match: compileDomainPattern(spec.slice('domain:'.length)) };
  }
  if (tool === 'Agent' || tool === 'Task') {
    return { kind: 'name', index: 'subagent', match: compileNamePattern(spec) };
  }
  // A specifier this engine cannot interpret never matches: it must not widen or narrow anything.
  return { kind: 'never', index: 'never' };
}

/** The command name a rule requires (`git` for `git push:*`), cut at a space or `:`; none for wildcards. */
export function commandHead(spec: string): string | undefined {
  const head = /^\s*([^\s:]+)/.exec(spec)?.[1];
  return head === undefined || head.includes('*') ? undefined : head;
}

/** `Task` is the older name of `Agent`: rules and calls under either name are one tool. */
export function canonicalTool(tool: string): string {
  return tool === 'Task' ? 'Agent' : tool;
}

/** An agent profile's `files` / `deny` entry: a permission rule, or a bare glob over every file access. */
export function parseFileEntry(entry: string, caseInsensitive: boolean): RuleTarget {
  const tool = /^([A-Z][A-Za-z0-9_]*)(\(.*\))?$/.exec(entry)?.[1];
  if ((tool !== undefined && KNOWN_TOOLS.has(tool)) || entry.startsWith('mcp__')) {
    return parsePermissionRule(entry, caseInsensitive);
  }
  return pathTarget('path:*', entry, caseInsensitive);
}

function pathTarget(index: string, spec: string, caseInsensitive: boolean): RuleTarget {
  return {
    kind: 'path',
    index,
    match: compilePathPattern(spec, caseInsensitive),
    head: literalHead(spec, caseInsensitive),
    literal: literalPath(spec, caseInsensitive),
  };
}

/** The deployment guide's tool aliases in agent profiles, as Claude Code tool names. */
export const TOOL_ALIASES: Record<string, readonly string[]> = {
  read: ['Read', 'NotebookRead', 'LS'],
  write: ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'],
  edit: ['Edit', 'MultiEdit', 'NotebookEdit'],
  search: ['Glob', 'Grep', 'LS'],
  bash: ['Bash', 'BashOutput', 'KillShell'],
  web: ['WebFetch', 'WebSearch'],
  agent: ['Agent'],
};
