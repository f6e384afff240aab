// A small POSIX/bash parser for the subset the policy needs: every simple command of a script, nested ones included.
// Hand-written because decide() must be synchronous and pure: the maintained full parsers on npm are
// WASM builds with an async start (sh-syntax) or deprecated (mvdan-sh, bash-parser). See
// docs/adr/0004-shell-parser.md.

import {
  type ShellRedirect,
  ShellScanner,
  ShellSyntaxError,
  type ShellWord,
  type SimpleCommand,
} from './shell-scanner.ts';

export { ShellSyntaxError, type ShellWord, type SimpleCommand } from './shell-scanner.ts';

/** Words that open or close compound commands; at command position they are not commands themselves. */
const SKIPPED_RESERVED = new Set([
  '!',
  '{',
  '}',
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
]);
const CONTROL_OPS = ['&&', '||', ';;&', ';;', ';&', '|&', ';', '|', '&', '\n'];
const REDIRECT = /^(\d*)(&>>|&>|<<<|<<-|<<|<>|<&|>>|>&|>\||<|>)/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

type Mode = 'top' | 'paren' | 'case';
type End = 'eof' | 'close' | 'case-item' | 'esac';

/** Parses `source` and returns every simple command in it, including those inside `$(…)`, backticks and `<(…)`. */
export function parseShell(source: string): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  new ShellParser(source, out).parseScript();
  return out;
}

class ShellParser extends ShellScanner {
  private current: SimpleCommand = emptyCommand();
  private heredocs: { delimiter: string; stripTabs: boolean; expand: boolean }[] = [];

  constructor(
    source: string,
    private readonly out: SimpleCommand[],
    depth = 0,
  ) {
    super(source, (src, start, mode) => {
      if (depth > 64) throw new ShellSyntaxError('substitutions nested too deeply', start);
      const child = new ShellParser(src, out, depth + 1);
      child.pos = start;
      if (mode === 'paren') child.parseList('paren');
      else child.parseScript();
      return child.pos;
    });
  }

  parseScript(): void {
    const end = this.parseList('top');
    if (end !== 'eof') this.fail('unexpected end of script');
  }

  /** Parses commands until the end of input or the closer of `mode`. */
  parseList(mode: Mode): End {
    for (;;) {
      this.skipBlanks();
      if (this.pos >= this.src.length) {
        if (mode === 'paren') this.fail('missing )');
        this.flush();
        return 'eof';
      }
      const c = this.peek();
      if (c === '#') {
        while (this.pos < this.src.length && this.peek() !== '\n') this.pos++;
        continue;
      }
      if ((c === '<' || c === '>') && this.peek(1) === '(') {
        this.current.words.push(this.readProcessSubstitution());
        continue;
      }
      const redirect = REDIRECT.exec(this.src.slice(this.pos, this.pos + 8));
      if (redirect) {
        this.readRedirect(redirect[0].length, redirect[2]!);
        continue;
      }
      const op = CONTROL_OPS.find((candidate) => this.startsWith(candidate));
      if (op) {
        this.pos += op.length;
        this.flush();
        if (op === '\n') this.readHeredocs();
        if (op.startsWith(';;') || op === ';&') {
          if (mode !== 'case') this.fail(`unexpected ${op}`);
          return 'case-item';
        }
        continue;
      }
      if (c === ')') {
        if (mode !== 'paren') this.fail('unexpected )');
        this.pos++;
        this.flush();
        return 'close';
      }
      if (c === '(') {
        this.openParen();
        continue;
      }
      const start = this.pos;
      const word = this.readWord();
      const end = this.addWord(word, this.src.slice(start, this.pos), mode);
      if (end) return end;
    }
  }

  private atCommandStart(): boolean {
    return this.current.words.length === 0 && this.current.assignments.length === 0;
  }

  private openParen(): void {
    if (this.startsWith('((') && this.atCommandStart()) {
      this.skipBalanced('(', ')', 2, 2);
      return;
    }
    if (this.atCommandStart()) {
      this.pos++;
      this.parseList('paren');
      return;
    }
    // `name() { …; }` defines a function: the name is not a command.
    const rest = /^\(\s*\)/.exec(this.src.slice(this.pos));
    if (rest && this.current.words.length === 1) {
      this.current = emptyCommand();
      this.pos += rest[0].length;
      return;
    }
    this.fail('unexpected (');
  }

  private readProcessSubstitution(): ShellWord {
    const start = this.pos;
    this.pos = this.parseNestedParen(this.pos + 2);
    return { text: this.src.slice(start, this.pos), dynamic: true, glob: false, quoted: false };
  }

  private parseNestedParen(start: number): number {
    const child = new ShellParser(this.src, this.out);
    child.pos = start;
    child.parseList('paren');
    return child.pos;
  }

  private readRedirect(length: number, op: string): void {
    this.pos += length;
    this.skipBlanks();
    if (this.pos >= this.src.length || '\n;&|()<>'.includes(this.peek()))
      this.fail(`missing target after ${op}`);
    const target = this.readWord();
    if (op === '<<' || op === '<<-') {
      this.heredocs.push({ delimiter: target.text, stripTabs: op === '<<-', expand: !target.quoted });
    }
    this.current.redirects.push({ op, target } satisfies ShellRedirect);
  }

  /** Here-document bodies follow the line that opened them; unquoted ones may hold substitutions. */
  private readHeredocs(): void {
    for (const doc of this.heredocs) {
      let found = false;
      while (this.pos < this.src.length) {
        const eol = this.src.indexOf('\n', this.pos);
        const lineEnd = eol === -1 ? this.src.length : eol;
        const line = this.src.slice(this.pos, lineEnd);
        const next = eol === -1 ? this.src.length : eol + 1;
        if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
          this.pos = next;
          found = true;
          break;
        }
        if (doc.expand && /[$`]/.test(line)) {
          const body = new ShellParser(`${line}\n`, this.out);
          body.readDoubleQuoted({ text: '', dynamic: false, glob: false, quoted: true }, '');
        }
        this.pos = next;
      }
      if (!found) this.fail(`here-document not closed by ${doc.delimiter}`);
    }
    this.heredocs = [];
  }

  /** Adds a word to the current command, handling assignments and reserved words at command position. */
  private addWord(word: ShellWord, raw: string, mode: Mode): End | undefined {
    const cmd = this.current;
    if (cmd.words.length === 0) {
      if (ASSIGNMENT.test(raw)) {
        cmd.assignments.push(word.text);
        // `arr=(a b)`: the list belongs to the assignment.
        if (raw.endsWith('=') && this.peek() === '(') this.skipBalanced('(', ')', 1, 1);
        return undefined;
      }
      if (!word.quoted && cmd.assignments.length === 0) {
        if (SKIPPED_RESERVED.has(word.text)) return undefined;
        if (word.text === 'esac' && mode === 'case') return 'esac';
        if (word.text === 'for' || word.text === 'select') return this.skipForHeader();
        if (word.text === 'case') return this.parseCase();
        if (word.text === 'function') {
          this.skipBlanks();
          this.readWord();
          const parens = /^\s*\(\s*\)/.exec(this.src.slice(this.pos));
          if (parens) this.pos += parens[0].length;
          return undefined;
        }
      }
    }
    cmd.words.push(word);
    return undefined;
  }

  /** `for name in words; do` or `for ((...)); do`: the header holds no command except in substitutions. */
  private skipForHeader(): undefined {
    this.skipBlanks();
    if (this.startsWith('((')) {
      this.skipBalanced('(', ')', 2, 2);
      return undefined;
    }
    this.readWord();
    this.skipBlanks();
    while (this.pos < this.src.length && !';\n&|'.includes(this.peek())) {
      this.readWord();
      this.skipBlanks();
    }
    return undefined;
  }

  /** `case word in pattern) list ;; ... esac`. */
  private parseCase(): undefined {
    this.skipBlanks();
    this.readWord();
    this.skipBlanksAndNewlines();
    if (this.readWord().text !== 'in') this.fail('expected "in" after case word');
    for (;;) {
      this.skipBlanksAndNewlines();
      if (this.pos >= this.src.length) this.fail('missing esac');
      const save = this.pos;
      const first = this.readWord();
      if (first.text === 'esac' && !first.quoted) return undefined;
      this.pos = save;
      if (this.peek() === '(') this.pos++;
      // Patterns: words separated by `|`, up to `)`.
      for (;;) {
        this.skipBlanks();
        if (this.peek() === ')') break;
        if (this.peek() === '|') this.pos++;
        else if (this.readWord().text === '' && this.peek() !== ')') this.fail('bad case pattern');
      }
      this.pos++;
      const end = this.parseList('case');
      if (end === 'esac') return undefined;
      if (end === 'eof') this.fail('missing esac');
    }
  }

  private skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && this.peek(1) === '\n') this.pos += 2;
      else return;
    }
  }

  private skipBlanksAndNewlines(): void {
    while (/[\s]/.test(this.peek()) && this.pos < this.src.length) this.pos++;
  }

  private flush(): void {
    const cmd = this.current;
    if (cmd.words.length > 0 || cmd.redirects.length > 0 || cmd.assignments.length > 0) this.out.push(cmd);
    this.current = emptyCommand();
  }
}

function emptyCommand(): SimpleCommand {
  return { assignments: [], words: [], redirects: [] };
}
