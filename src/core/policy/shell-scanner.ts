// Character-level part of the shell parser: reads one word (quotes, escapes, expansions, substitutions).

export interface ShellWord {
  /** The word after quote removal; expansions are kept as written (`$HOME`, `$(…)`). */
  text: string;
  /** True when the word's value is only known at run time (parameter, command or arithmetic expansion). */
  dynamic: boolean;
  /** True when it holds an unquoted glob character (`*`, `?`, `[`), so the shell may expand it. */
  glob: boolean;
  /** True when any part of it was quoted or escaped (a quoted word is never a reserved word). */
  quoted: boolean;
}

export interface ShellRedirect {
  op: string;
  target: ShellWord;
}

/** One simple command: `FOO=1 cmd arg > out`. Commands nested in substitutions are listed separately. */
export interface SimpleCommand {
  assignments: string[];
  words: ShellWord[];
  redirects: ShellRedirect[];
}

export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'ShellSyntaxError';
  }
}

/** Ends an unquoted word. */
export const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/** Parses a nested script (`$(…)`, backticks, `<(…)`) and returns where it ended; commands go to `out`. */
export type NestedParse = (source: string, start: number, mode: 'paren' | 'script') => number;

export class ShellScanner {
  pos = 0;
  constructor(
    readonly src: string,
    protected readonly nested: NestedParse,
  ) {}

  peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  startsWith(text: string): boolean {
    return this.src.startsWith(text, this.pos);
  }

  fail(message: string): never {
    throw new ShellSyntaxError(message, this.pos);
  }

  /** Reads a word starting at `pos`; stops before an unquoted metacharacter. */
  readWord(): ShellWord {
    const word: ShellWord = { text: '', dynamic: false, glob: false, quoted: false };
    while (this.pos < this.src.length) {
      const c = this.peek();
      if (META.has(c)) break;
      if (c === '\\') {
        if (this.peek(1) === '\n') {
          this.pos += 2;
          continue;
        }
        word.quoted = true;
        word.text += this.peek(1);
        this.pos += 2;
      } else if (c === "'") {
        word.quoted = true;
        word.text += this.readSingleQuoted();
      } else if (c === '"') {
        word.quoted = true;
        this.pos++;
        this.readDoubleQuoted(word, '"');
      } else if (c === '$' || c === '`') {
        this.readExpansion(word);
      } else {
        if (c === '*' || c === '?' || c === '[') word.glob = true;
        word.text += c;
        this.pos++;
      }
    }
    return word;
  }

  private readSingleQuoted(): string {
    const end = this.src.indexOf("'", this.pos + 1);
    if (end === -1) this.fail('unterminated single quote');
    const text = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return text;
  }

  /** Inside "..." (or a here-document body when `until` is ''): escapes and expansions, no globbing. */
  readDoubleQuoted(word: ShellWord, until: '"' | ''): void {
    while (this.pos < this.src.length) {
      const c = this.peek();
      if (c === until) {
        this.pos++;
        return;
      }
      if (c === '\\' && '$`"\\\n'.includes(this.peek(1))) {
        if (this.peek(1) !== '\n') word.text += this.peek(1);
        this.pos += 2;
      } else if (c === '$' || c === '`') {
        this.readExpansion(word);
      } else {
        word.text += c;
        this.pos++;
      }
    }
    if (until !== '') this.fail('unterminated double quote');
  }

  /** `$'...'`, `$((...))`, `$(...)`, `${...}`, `$NAME`, `` `...` ``: appended as written; substitutions parsed. */
  private readExpansion(word: ShellWord): void {
    const start = this.pos;
    if (this.peek() === '`') {
      this.readBackticks();
    } else if (this.startsWith("$'")) {
      this.pos++;
      word.quoted = true;
      word.text += unescapeAnsiC(this.readSingleQuoted());
      return;
    } else if (this.startsWith('$((')) {
      this.skipBalanced('(', ')', 3, 2);
    } else if (this.startsWith('$(')) {
      this.pos = this.nested(this.src, this.pos + 2, 'paren');
    } else if (this.startsWith('${')) {
      this.readBraced();
    } else if (/[A-Za-z_]/.test(this.peek(1))) {
      this.pos++;
      while (/[A-Za-z0-9_]/.test(this.peek())) this.pos++;
    } else if (/[0-9@*#?$!-]/.test(this.peek(1)) && this.peek(1) !== '') {
      this.pos += 2;
    } else {
      // A lone `$` is literal.
      word.text += '$';
      this.pos++;
      return;
    }
    word.dynamic = true;
    word.text += this.src.slice(start, this.pos);
  }

  private readBackticks(): void {
    let inner = '';
    let i = this.pos + 1;
    for (; i < this.src.length && this.src[i] !== '`'; i++) {
      if (this.src[i] === '\\' && '`$\\'.includes(this.src[i + 1] ?? '')) i++;
      inner += this.src[i];
    }
    if (i >= this.src.length) this.fail('unterminated backquote');
    this.nested(inner, 0, 'script');
    this.pos = i + 1;
  }

  /** `${name:-word}`: the word after the operator may hold substitutions, so it is parsed as a script. */
  private readBraced(): void {
    const open = this.pos;
    this.skipBalanced('{', '}', 2, 1);
    const inner = this.src.slice(open + 2, this.pos - 1);
    const op = /^[#!]?[A-Za-z0-9_@*#?$!-]+(\[[^\]]*\])?(:?[-=+?]|##?|%%?|\/\/?|\^\^?|,,?|:)/.exec(inner);
    if (op && /[$`]/.test(inner.slice(op[0].length))) {
      try {
        this.nested(inner.slice(op[0].length), 0, 'script');
      } catch {
        // An operand that is not a script (a pattern, a number) holds no command to check.
      }
    }
  }

  /** Skips from `pos + skip` to the closer that balances, honouring quotes; `depth` openers are already open. */
  skipBalanced(open: string, close: string, skip: number, depth: number): void {
    let level = depth;
    let i = this.pos + skip;
    while (i < this.src.length && level > 0) {
      const c = this.src[i]!;
      if (c === '\\') i++;
      else if (c === "'") i = this.src.indexOf("'", i + 1);
      else if (c === open) level++;
      else if (c === close) level--;
      if (i === -1) break;
      i++;
    }
    if (level > 0 || i === -1) this.fail(`unbalanced ${open}${close}`);
    this.pos = i;
  }
}

function unescapeAnsiC(text: string): string {
  const map: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    "'": "'",
    '"': '"',
    e: '\x1b',
  };
  return text.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, esc: string) => {
    if (esc.startsWith('x')) return String.fromCharCode(Number.parseInt(esc.slice(1), 16));
    if (/^[0-7]+$/.test(esc)) return String.fromCharCode(Number.parseInt(esc, 8));
    return map[esc] ?? `\\${esc}`;
  });
}
