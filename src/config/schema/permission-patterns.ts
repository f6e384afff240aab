// Syntax checks for agent permission entries: tool names, globs, Claude Code permission rules, commands, domains.

import picomatch from 'picomatch';
import { parseAlertCondition } from '../../core/alerts/alert-condition.ts';
import { CLAUDE_CODE_TOOLS, FILE_TOOLS } from '../../core/policy/permission-rule.ts';
import { didYouMean } from '../did-you-mean.ts';

export interface PatternError {
  message: string;
  hint?: string | undefined;
}

/** The deployment guide's lowercase tool families. */
export const TOOL_ALIASES = ['read', 'write', 'edit', 'search', 'bash', 'web', 'mcp', 'agent'] as const;

const MCP_TOOL = /^mcp__[A-Za-z0-9_*-]+?(__[A-Za-z0-9_*-]+)?$/;
const ALL_TOOL_NAMES: readonly string[] = [...TOOL_ALIASES, ...CLAUDE_CODE_TOOLS];

export function checkToolName(name: string): PatternError | undefined {
  if (name === '*' || ALL_TOOL_NAMES.includes(name) || MCP_TOOL.test(name)) return undefined;
  return {
    message: `unknown tool "${name}"`,
    hint:
      didYouMean(name, ALL_TOOL_NAMES) ??
      `use ${TOOL_ALIASES.join(', ')}, a Claude Code tool (Read, Edit, Bash, WebFetch, ...) or mcp__<server>__<tool>`,
  };
}

export function checkGlob(glob: string): PatternError | undefined {
  if (glob.trim() === '') return { message: 'empty pattern' };
  if (glob.includes('\\') && !/\\[*?[\]{}()!]/.test(glob)) {
    return { message: `invalid glob "${glob}": backslash in path`, hint: 'use forward slashes (/) in paths' };
  }
  try {
    picomatch.makeRe(glob, { strictBrackets: true });
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split(' - ')[0] : 'does not compile';
    return {
      message: `invalid glob "${glob}": ${reason}`,
      hint: 'close every [ ], { } and ( ), or escape it with \\',
    };
  }
}

const RULE_START = /^([A-Za-z_][A-Za-z0-9_]*)\(/;

/** Is this entry written as a Claude Code permission rule (`Read(./.env)`) rather than a bare glob? */
export function looksLikePermissionRule(entry: string): boolean {
  return (
    RULE_START.test(entry) || (/^[A-Za-z_][A-Za-z0-9_]*$/.test(entry) && checkToolName(entry) === undefined)
  );
}

/** `Tool`, or `Tool(specifier)` with the specifier checked by what the tool matches on. */
export function checkPermissionRule(rule: string): PatternError | undefined {
  const open = rule.indexOf('(');
  const tool = open === -1 ? rule : rule.slice(0, open);
  const known: readonly string[] = CLAUDE_CODE_TOOLS;
  if (!known.includes(tool) && !MCP_TOOL.test(tool)) {
    return {
      message: `unknown tool "${tool}" in permission rule "${rule}"`,
      hint:
        didYouMean(tool, CLAUDE_CODE_TOOLS) ??
        'permission rules use Claude Code tool names: Read(...), Edit(...), Bash(...)',
    };
  }
  if (open === -1) return undefined;
  if (!balanced(rule) || !rule.endsWith(')')) {
    return {
      message: `unbalanced parentheses in permission rule "${rule}"`,
      hint: `write it as ${tool}(<pattern>)`,
    };
  }
  if (MCP_TOOL.test(tool))
    return { message: `MCP tools take no specifier: "${rule}"`, hint: `write ${tool}` };
  const spec = rule.slice(open + 1, -1);
  if (spec.trim() === '')
    return { message: `empty specifier in "${rule}"`, hint: `write ${tool} to match every use` };
  if (FILE_TOOLS.has(tool)) return prefixed(checkGlob(spec), rule);
  if (tool === 'Bash') return prefixed(checkCommandRule(spec), rule);
  if (tool === 'WebFetch') {
    if (!spec.startsWith('domain:')) {
      return {
        message: `WebFetch rules match a domain: "${rule}"`,
        hint: `write WebFetch(domain:example.com)`,
      };
    }
    return prefixed(checkDomain(spec.slice('domain:'.length)), rule);
  }
  return undefined;
}

function prefixed(error: PatternError | undefined, rule: string): PatternError | undefined {
  return error === undefined
    ? undefined
    : { message: `${error.message} in permission rule "${rule}"`, hint: error.hint };
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** An entry of `files` / `deny`: a glob, or a Claude Code permission rule. */
export function checkFilePattern(entry: string): PatternError | undefined {
  return looksLikePermissionRule(entry) ? checkPermissionRule(entry) : checkGlob(entry);
}

/** A Claude Code Bash prefix rule (`npm run test:*`, `git *`), optionally written as `Bash(...)`. */
export function checkCommandRule(command: string): PatternError | undefined {
  if (command.startsWith('Bash(')) return checkPermissionRule(command);
  if (command.trim() === '') return { message: 'empty command rule' };
  if (/[\r\n]/.test(command)) return { message: 'a command rule must be one line' };
  if (command.includes(':*') && !command.endsWith(':*')) {
    return {
      message: `":*" may only end a command rule: "${command}"`,
      hint: 'use "*" for a wildcard inside the command',
    };
  }
  return undefined;
}

const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

/** A hostname, optionally with a leading `*.` wildcard for its subdomains. */
export function checkDomain(domain: string): PatternError | undefined {
  if (HOSTNAME.test(domain)) return undefined;
  if (domain.includes('://') || domain.includes('/')) {
    return {
      message: `invalid domain "${domain}"`,
      hint: 'write the hostname only, without scheme or path (e.g. docs.acme.test)',
    };
  }
  return {
    message: `invalid domain "${domain}"`,
    hint: 'a hostname such as api.github.com, or *.acme.test for all subdomains',
  };
}

/** An MCP server name (`github`) or an MCP tool pattern (`mcp__github__*`). */
export function checkMcpPattern(entry: string): PatternError | undefined {
  if (/^[A-Za-z0-9_*-]+$/.test(entry) || MCP_TOOL.test(entry)) return undefined;
  return {
    message: `invalid MCP entry "${entry}"`,
    hint: 'a server name (github) or mcp__<server>__<tool>, with * wildcards',
  };
}

export const PERMISSION_RESOURCES = [
  'agents',
  'rules',
  'analytics',
  'config',
  'audit',
  'budgets',
  'keys',
  'users',
  'tenants',
  'policy',
] as const;

/** A role permission `resource:action` (`agents:*`, `rules:read`, `agents:developer`). */
export function checkPermissionString(permission: string): PatternError | undefined {
  const match = /^([a-z*]+):([A-Za-z0-9_*-]+)$/.exec(permission);
  if (!match) {
    return {
      message: `invalid permission "${permission}"`,
      hint: 'write resource:action, e.g. rules:read or agents:*',
    };
  }
  const resource = match[1]!;
  const resources: readonly string[] = PERMISSION_RESOURCES;
  if (resource !== '*' && !resources.includes(resource)) {
    return {
      message: `unknown resource "${resource}" in permission "${permission}"`,
      hint: didYouMean(resource, PERMISSION_RESOURCES) ?? `resources: ${PERMISSION_RESOURCES.join(', ')}`,
    };
  }
  return undefined;
}

/** An alert condition `<metric> <op> <number>` with an optional `%` suffix or `$` prefix (core/alerts parses it). */
export function checkAlertCondition(condition: string): PatternError | undefined {
  const parsed = parseAlertCondition(condition);
  return parsed.ok ? undefined : parsed.error;
}
