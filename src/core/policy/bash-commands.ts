// Turns a Bash tool command into the sub-commands the policy checks: wrappers unwrapped, `bash -c` recursed, files named.

import { ownValue } from '../values/own-value.ts';
import { fileOperands } from './file-operands.ts';
import { parseShell, type ShellWord, type SimpleCommand } from './shell-parser.ts';

export type FileAccess = 'read' | 'write';

export interface FileUse {
  access: FileAccess;
  path: string;
  /** The shell expands it (`.en*`): which files it names is only known at run time. */
  glob: boolean;
}

export interface SubCommand {
  /** The command as checked against `Bash(...)` rules: words after quote removal, joined by one space. */
  text: string;
  /** The command name is only known at run time (`$CMD x`): no allow rule can vouch for it. */
  dynamic: boolean;
  files: FileUse[];
}

/** Options of wrapper commands that take a value, so the value is not mistaken for the wrapped command. */
const WRAPPERS: Record<string, { valueOptions: string; firstOperand?: boolean }> = {
  sudo: { valueOptions: '-u -g -h -p -C -r -t -U -D' },
  doas: { valueOptions: '-u -C' },
  env: { valueOptions: '-u -C -S --unset --chdir' },
  timeout: { valueOptions: '-s -k --signal --kill-after', firstOperand: true },
  nice: { valueOptions: '-n --adjustment' },
  ionice: { valueOptions: '-c -n -p' },
  nohup: { valueOptions: '' },
  time: { valueOptions: '-f -o' },
  command: { valueOptions: '' },
  builtin: { valueOptions: '' },
  exec: { valueOptions: '-a' },
  stdbuf: { valueOptions: '-i -o -e' },
  xargs: { valueOptions: '-a -d -E -e -I -i -L -l -n -P -s --delimiter --max-args --max-procs --replace' },
};
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'ash', 'fish']);

const CACHE_LIMIT = 10_000;
const splitCache = new Map<string, readonly SubCommand[]>();

/**
 * The sub-commands of a Bash command, memoized: agents repeat the same commands all day, and the
 * result depends on the text alone. Callers must not modify what they get.
 */
export function splitBashCommandCached(command: string): readonly SubCommand[] {
  let result = splitCache.get(command);
  if (!result) {
    result = splitBashCommand(command);
    if (splitCache.size >= CACHE_LIMIT) splitCache.clear();
    splitCache.set(command, result);
  }
  return result;
}

/** Splits a Bash command into sub-commands; throws ShellSyntaxError on a command it cannot parse. */
export function splitBashCommand(command: string, depth = 0): SubCommand[] {
  const result: SubCommand[] = [];
  for (const simple of parseShell(command)) result.push(...expand(simple, depth));
  return followDirectoryChanges(result);
}

/**
 * `cd secrets && cat key` reads secrets/key: relative paths after a `cd` are resolved against it.
 * Subshell scoping is ignored, which can only point a path at a deeper directory, never hide it.
 */
function followDirectoryChanges(commands: SubCommand[]): SubCommand[] {
  let dir = '';
  for (const command of commands) {
    if (dir !== '') {
      for (const file of command.files) {
        if (!/^[/~]/.test(file.path)) file.path = `${dir}/${file.path}`;
      }
    }
    const cd = /^(?:cd|pushd) +(?!-)(\S+)$/.exec(command.text);
    if (cd) dir = /^[/~]/.test(cd[1]!) || dir === '' ? cd[1]! : `${dir}/${cd[1]}`;
  }
  return commands;
}

function expand(simple: SimpleCommand, depth: number): SubCommand[] {
  const files: FileUse[] = [];
  for (const redirect of simple.redirects) {
    const op = redirect.op;
    if (op === '<<' || op === '<<-' || op === '<<<') continue;
    if ((op === '>&' || op === '<&') && /^(\d+|-)$/.test(redirect.target.text)) continue;
    const access = op === '<' || op === '<&' ? 'read' : 'write';
    files.push({ access, path: redirect.target.text, glob: redirect.target.glob });
  }
  const words = unwrap(simple.words);
  if (words.length === 0) return files.length > 0 ? [{ text: '', dynamic: false, files }] : [];
  const name = baseName(words[0]!.text);
  const nested: SubCommand[] = [];
  if (depth < 16) {
    if (SHELLS.has(name)) {
      const script = shellScript(words);
      if (script !== undefined) nested.push(...splitBashCommand(script, depth + 1));
    } else if (name === 'eval') {
      nested.push(
        ...splitBashCommand(
          words
            .slice(1)
            .map((w) => w.text)
            .join(' '),
          depth + 1,
        ),
      );
    } else if (name === 'find') {
      nested.push(...findExec(words, depth));
    }
  }
  files.push(...fileOperands(name, words));
  const self: SubCommand = {
    text: words.map((w) => w.text).join(' '),
    dynamic: words[0]!.dynamic,
    files,
  };
  return [self, ...nested];
}

/** Drops `sudo`, `env FOO=1`, `timeout 5`, `nice -n 5`, `xargs -n1` … so the wrapped command is checked. */
function unwrap(words: ShellWord[]): ShellWord[] {
  let rest = words;
  for (let guard = 0; guard < 32 && rest.length > 0; guard++) {
    const wrapper = ownValue(WRAPPERS, baseName(rest[0]!.text));
    if (!wrapper) break;
    const valueOptions = wrapper.valueOptions.split(' ');
    let i = 1;
    while (i < rest.length) {
      const text = rest[i]!.text;
      if (text === '--') {
        i++;
        break;
      }
      if (baseName(rest[0]!.text) === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) i++;
      else if (text.startsWith('-') && text.length > 1) i += valueOptions.includes(text) ? 2 : 1;
      else break;
    }
    if (wrapper.firstOperand) i++;
    rest = rest.slice(i);
  }
  return rest;
}

/** The script of `bash -c 'script'` (also `-lc`, `-ec`), or undefined when the shell runs a file or stdin. */
function shellScript(words: ShellWord[]): string | undefined {
  for (let i = 1; i < words.length; i++) {
    const text = words[i]!.text;
    if (!text.startsWith('-')) return undefined;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(text)) return words[i + 1]?.text;
  }
  return undefined;
}

/** `find … -exec cmd {} ;` runs cmd once per match. */
function findExec(words: ShellWord[], depth: number): SubCommand[] {
  const result: SubCommand[] = [];
  for (let i = 1; i < words.length; i++) {
    if (!['-exec', '-execdir', '-ok', '-okdir'].includes(words[i]!.text)) continue;
    const end = words.findIndex((w, j) => j > i && (w.text === ';' || w.text === '+'));
    const inner = words.slice(i + 1, end === -1 ? undefined : end);
    if (inner.length > 0) result.push(...expand({ assignments: [], words: inner, redirects: [] }, depth + 1));
    i = end === -1 ? words.length : end;
  }
  return result;
}

export function baseName(command: string): string {
  const slash = command.lastIndexOf('/');
  return slash === -1 ? command : command.slice(slash + 1);
}
