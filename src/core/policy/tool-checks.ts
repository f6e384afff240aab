// Turns one tool call into the checks the policy makes: a path, a command, a domain, a name, or the tool itself.

import { splitBashCommandCached } from './bash-commands.ts';
import { displayPath, normalizePath } from './path-normalize.ts';
import { canonicalTool, FILE_TOOLS } from './permission-rule.ts';

export type CheckKind = 'path' | 'command' | 'domain' | 'name' | 'tool' | 'invalid';

export interface Check {
  kind: CheckKind;
  /** Index buckets whose rules can match (see RuleTarget.index). */
  keys: string[];
  /** The normalized path, sub-command text, host or name the rules are matched against. */
  subject: string;
  /** For reasons, built only when needed (see labelOf): the tool, and the sub-command for Bash. */
  tool: string;
  command: string | undefined;
  access: 'reading' | 'writing' | undefined;
  /** The agent profile's grant of the tool counts as an allow (tools with no resource to check). */
  grantedByTool: boolean;
  /** Only a deny or ask counts: it can block the call but never allow it (files a command touches). */
  restrictOnly: boolean;
  /** The subject is only known at run time (`$CMD`, a file glob): no allow rule can vouch for it. */
  dynamic: boolean;
}

const READ_TOOLS = new Set(['Read', 'NotebookRead', 'Glob', 'Grep', 'LS']);

export interface CallContext {
  /** Canonical, and lowercased when case-insensitive. */
  cwd: string;
  home: string | undefined;
  caseInsensitive: boolean;
}

export function toolChecks(toolName: string, input: Record<string, unknown>, ctx: CallContext): Check[] {
  const tool = canonicalTool(toolName);
  if (FILE_TOOLS.has(tool)) return [fileToolCheck(tool, input, ctx)];
  if (tool === 'Bash') return bashChecks(input, ctx);
  if (tool === 'WebFetch') {
    const host = hostOf(input.url);
    if (host === undefined) return [invalid('WebFetch', 'a url that is not a valid URL')];
    return [check('domain', WEB_FETCH_KEYS, host, 'WebFetch')];
  }
  if (tool === 'WebSearch') {
    const domains = Array.isArray(input.allowed_domains) ? input.allowed_domains : [];
    const checks = [check('tool', WEB_SEARCH_KEYS, tool, 'WebSearch', { grantedByTool: true })];
    for (const domain of domains) {
      if (typeof domain !== 'string') continue;
      checks.push(check('domain', DOMAIN_KEYS, domain.toLowerCase(), 'WebSearch', { restrictOnly: true }));
    }
    return checks;
  }
  if (tool === 'Agent') {
    const type = typeof input.subagent_type === 'string' ? input.subagent_type : 'general-purpose';
    return [check('name', AGENT_KEYS, type, 'Agent', { grantedByTool: true })];
  }
  if (tool.startsWith('mcp__')) {
    return [check('name', interned(`tool:${tool}`, 'mcp'), tool, tool, { grantedByTool: true })];
  }
  return [check('tool', interned(`tool:${tool}`), tool, tool, { grantedByTool: true })];
}

const WEB_FETCH_KEYS = ['tool:WebFetch', 'domain'];
const WEB_SEARCH_KEYS = ['tool:WebSearch'];
const DOMAIN_KEYS = ['domain'];
const AGENT_KEYS = ['tool:Agent', 'subagent'];

type CheckOptions = Partial<Pick<Check, 'grantedByTool' | 'restrictOnly' | 'dynamic' | 'command' | 'access'>>;

/** Every check has the same shape (all fields present), which keeps the hot path monomorphic. */
function check(
  kind: CheckKind,
  keys: string[],
  subject: string,
  tool: string,
  options: CheckOptions = {},
): Check {
  return {
    kind,
    keys,
    subject,
    tool,
    command: options.command,
    access: options.access,
    grantedByTool: options.grantedByTool ?? false,
    restrictOnly: options.restrictOnly ?? false,
    dynamic: options.dynamic ?? false,
  };
}

function invalid(tool: string, problem: string): Check {
  return check('invalid', [], problem, tool);
}

const INTERNED = new Map<string, string[]>();

/** One shared array per set of index buckets: the merged-rule cache is keyed by array identity. */
function interned(...keys: string[]): string[] {
  const id = keys.join('|');
  let found = INTERNED.get(id);
  if (!found) {
    found = keys;
    INTERNED.set(id, found);
  }
  return found;
}

/** `Read of .env`, `Bash "cat .env"`, `Bash "cat .env" reading .env`, `WebFetch of x.com`. */
export function labelOf(check: Check, cwd: string): string {
  const target = check.kind === 'path' ? displayPath(check.subject, cwd) : check.subject;
  if (check.tool === 'Bash') {
    if (check.kind === 'invalid') return 'Bash';
    return check.access ? `Bash "${check.command}" ${check.access} ${target}` : `Bash "${check.command}"`;
  }
  if (check.kind === 'path' || check.kind === 'domain') {
    return check.tool === 'WebSearch' ? `WebSearch in ${target}` : `${check.tool} of ${target}`;
  }
  if (check.kind === 'name' && check.tool === 'Agent') return `Agent "${target}"`;
  return check.tool;
}

function fileToolCheck(tool: string, input: Record<string, unknown>, ctx: CallContext): Check {
  const raw = input.file_path ?? input.notebook_path ?? input.path;
  const isSearch = tool === 'Glob' || tool === 'Grep' || tool === 'LS';
  if (raw !== undefined && typeof raw !== 'string') return invalid(tool, 'a path that is not a string');
  if (raw === undefined && !isSearch) return invalid(tool, 'no file path');
  // A search with no path searches the working directory.
  const path = pathKey(raw ?? '.', ctx);
  return check('path', fileKeys(tool), path, tool);
}

const FILE_KEYS = new Map<string, string[]>();

/** Read rules cover every reading tool and Edit rules every writing tool, besides the tool's own rules. */
function fileKeys(tool: string): string[] {
  let keys = FILE_KEYS.get(tool);
  if (!keys) {
    const family = READ_TOOLS.has(tool) ? 'Read' : 'Edit';
    keys = [...new Set([`tool:${tool}`, `tool:${family}`, `path:${tool}`, `path:${family}`, 'path:*'])];
    FILE_KEYS.set(tool, keys);
  }
  return keys;
}

const BASH_COMMAND_KEYS = ['tool:Bash', 'command'];
const BASH_READ_KEYS = ['path:Read', 'path:*'];
const BASH_WRITE_KEYS = ['path:Edit', 'path:Write', 'path:*'];

function bashChecks(input: Record<string, unknown>, ctx: CallContext): Check[] {
  if (typeof input.command !== 'string') return [invalid('Bash', 'no command')];
  const checks: Check[] = [];
  for (const sub of splitBashCommandCached(input.command)) {
    if (sub.text !== '') {
      checks.push(
        check('command', BASH_COMMAND_KEYS, sub.text, 'Bash', { command: sub.text, dynamic: sub.dynamic }),
      );
    }
    for (const file of sub.files) {
      // `$HOME/x` and `${HOME}/x` are the one expansion worth resolving: it names the home directory.
      const path = pathKey(file.path.replace(/^(\$HOME|\$\{HOME\})(?=\/|$)/, '~'), ctx);
      const read = file.access === 'read';
      checks.push(
        check('path', read ? BASH_READ_KEYS : BASH_WRITE_KEYS, path, 'Bash', {
          command: sub.text,
          access: read ? 'reading' : 'writing',
          restrictOnly: true,
          dynamic: file.glob,
        }),
      );
    }
  }
  return checks;
}

function pathKey(path: string, ctx: CallContext): string {
  const normalized = normalizePath(path, ctx.cwd, ctx.home);
  return ctx.caseInsensitive ? normalized.toLowerCase() : normalized;
}

// scheme://[userinfo@]host[:port]... — enough to name the host a fetch goes to, without URL's cost.
const URL_HOST = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#\\]*@)?(\[[^\]]*\]|[^:/?#\\]+)/i;

function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const host = URL_HOST.exec(url.trim())?.[1];
  return host === undefined ? undefined : host.toLowerCase().replace(/\.$/, '');
}
