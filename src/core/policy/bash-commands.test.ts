// Bash splitting: every shell construct, the files commands touch, syntax errors, and no sub-command ever dropped.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitBashCommand } from './bash-commands.ts';
import { ShellSyntaxError } from './shell-parser.ts';

const texts = (command: string) => splitBashCommand(command).map((c) => c.text);
const files = (command: string) =>
  splitBashCommand(command).flatMap((c) => c.files.map((f) => `${f.access}:${f.path}`));

describe('splitBashCommand: sub-commands', () => {
  it.each([
    ['a && b', ['a', 'b']],
    ['a || b', ['a', 'b']],
    ['a; b', ['a', 'b']],
    ['a | b |& c', ['a', 'b', 'c']],
    ['a & b', ['a', 'b']],
    ['a\nb\n\nc', ['a', 'b', 'c']],
    ['echo $(cat .env)', ['cat .env', 'echo $(cat .env)']],
    ['echo `cat .env`', ['cat .env', 'echo `cat .env`']],
    ['echo "x $(cat .env) y"', ['cat .env', 'echo x $(cat .env) y']],
    ['echo $(echo $(cat .env))', ['cat .env', 'echo $(cat .env)', 'echo $(echo $(cat .env))']],
    ['bash -c "cat .env"', ['bash -c cat .env', 'cat .env']],
    ["sh -c 'a && b'", ['sh -c a && b', 'a', 'b']],
    ['bash -lc \'sh -c "cat .env"\'', ['bash -lc sh -c "cat .env"', 'sh -c cat .env', 'cat .env']],
    ['eval "cat .env"', ['eval cat .env', 'cat .env']],
    ['FOO=1 BAR="a b" npm test', ['npm test']],
    ['sudo -u root cat .env', ['cat .env']],
    ['env -i FOO=1 cat .env', ['cat .env']],
    ['timeout -s KILL 5 cat .env', ['cat .env']],
    ['nice -n 10 cat .env', ['cat .env']],
    ['nohup time cat .env', ['cat .env']],
    ['ls | xargs -n 1 cat', ['ls', 'cat']],
    ['find . -name x -exec cat {} \\;', ['find . -name x -exec cat {} ;', 'cat {}']],
    ['(cd a && b)', ['cd a', 'b']],
    ['{ a; b; }', ['a', 'b']],
    ['if a; then b; elif c; then d; else e; fi', ['a', 'b', 'c', 'd', 'e']],
    ['while a; do b; done', ['a', 'b']],
    ['until a; do b; done', ['a', 'b']],
    ['for f in x y; do cat "$f"; done', ['cat $f']],
    ['for ((i=0; i<3; i++)); do a; done', ['a']],
    ['case $x in a) b ;; c|d) e ;; esac', ['b', 'e']],
    ['f() { cat .env; }; f', ['cat .env', 'f']],
    ['function g { a; }', ['a']],
    ['! a', ['a']],
    ['diff <(cat a) <(cat b)', ['cat a', 'cat b', 'diff <(cat a) <(cat b)']],
    ['cat <<EOF\n$(cat .env)\nEOF\nb', ['cat', 'cat .env', 'b']],
    ["cat <<'EOF'\n$(not run)\nEOF", ['cat']],
    ['cat <<-EOF\n\tx\n\tEOF\nb', ['cat', 'b']],
    ['a # a comment; b', ['a']],
    ['echo a\\\nb', ['echo ab']],
    ['echo \'a;b\' "c&&d"', ['echo a;b c&&d']],
    ["echo $'a\\tb'", ['echo a\tb']],
    ['x=$(cat .env)', ['cat .env']],
    ['echo ${X:-$(cat .env)}', ['cat .env', '$(cat .env)', 'echo ${X:-$(cat .env)}']],
    ['arr=(a b); echo ok', ['echo ok']],
    ['git   push    origin', ['git push origin']],
  ])('%j', (command, expected) => {
    expect(texts(command)).toEqual(expected);
  });
});

describe('splitBashCommand: files read and written', () => {
  it.each([
    ['cat .env', ['read:.env']],
    ['head -n 5 a b', ['read:5', 'read:a', 'read:b']],
    ['tail -f log', ['read:log']],
    ['less a; more b', ['read:a', 'read:b']],
    ['grep -r key secrets', ['read:secrets']],
    ['grep -e key -- f', ['read:f']],
    ['rg key src', ['read:src']],
    ["sed 's/a/b/' f", ['read:f']],
    ["sed -i 's/a/b/' f", ['write:f']],
    ["awk '{print}' f", ['read:f']],
    ['cp a b', ['read:a', 'write:b']],
    ['mv a b', ['write:a', 'write:b', 'read:a']],
    ['tee -a out', ['write:out']],
    ['echo x > out', ['write:out']],
    ['echo x >> out', ['write:out']],
    ['echo x &> out', ['write:out']],
    ['echo x 2> err', ['write:err']],
    ['echo x 2>&1', []],
    ['cat < in', ['read:in']],
    ['source .env', ['read:.env']],
    ['. ./.env', ['read:./.env']],
    ['vim secrets/a', ['write:secrets/a']],
    ['nano a', ['write:a']],
    ['rm -rf secrets', ['write:secrets']],
    ['chmod 600 key', ['write:key']],
    ['dd if=a of=b', ['read:a', 'write:b']],
    ['cd secrets && cat key', ['read:secrets/key']],
    ['sudo cat /etc/shadow', ['read:/etc/shadow']],
    ['bash -c "cat .env"', ['read:.env']],
    ['cat <<EOF > out\nx\nEOF', ['write:out']],
  ])('%j', (command, expected) => {
    expect(files(command)).toEqual(expected);
  });
});

describe('splitBashCommand: names of Object.prototype members', () => {
  // Found by the decide() property test: a command named `toString` reached an inherited function.
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf x'])(
    '%j is a plain command',
    (command) => {
      expect(texts(command)).toEqual([command]);
    },
  );
});

describe('splitBashCommand: errors', () => {
  it.each([
    'echo "open',
    "echo 'open",
    'echo $(open',
    'a )',
    'echo `open',
    'cat <<EOF\nnever closed',
    'a >',
    'case x in a) b',
  ])('%j is a syntax error', (command) => {
    expect(() => splitBashCommand(command)).toThrow(ShellSyntaxError);
  });
});

// Reserved words, wrappers and shells change what a command means, so generated words avoid them.
const SPECIAL = new Set(
  'if then else elif fi do done while until for case esac function select in time sudo doas env timeout nice ionice nohup command builtin exec stdbuf xargs bash sh zsh dash ksh ash fish eval find'.split(
    ' ',
  ),
);
const word = fc.stringMatching(/^[a-z][a-z0-9_./-]{0,8}$/).filter((w) => !SPECIAL.has(w));
const simple = fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => words.join(' '));
const operator = fc.constantFrom(' && ', ' || ', '; ', ' | ', '\n', ' & ', ' |& ');

describe('splitBashCommand: properties', () => {
  it('never drops a sub-command, however they are joined or nested', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            simple,
            operator,
            fc.constantFrom('plain', 'subst', 'backtick', 'bash-c', 'subshell', 'sudo'),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (parts) => {
          const script = parts
            .map(([cmd, op, wrap], i) => {
              const wrapped =
                wrap === 'subst'
                  ? `echo $(${cmd})`
                  : wrap === 'backtick'
                    ? `echo \`${cmd}\``
                    : wrap === 'bash-c'
                      ? `bash -c '${cmd}'`
                      : wrap === 'subshell'
                        ? `(${cmd})`
                        : wrap === 'sudo'
                          ? `sudo ${cmd}`
                          : cmd;
              return i < parts.length - 1 ? wrapped + op : wrapped;
            })
            .join('');
          const found = texts(script);
          for (const [cmd, , wrap] of parts) {
            const expected = wrap === 'sudo' && cmd.startsWith('-') ? cmd : cmd;
            if (!found.includes(expected) && !(wrap === 'sudo' && found.some((t) => expected.endsWith(t)))) {
              throw new Error(
                `${JSON.stringify(expected)} missing from ${JSON.stringify(found)} for ${JSON.stringify(script)}`,
              );
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('splitBashCommand: git reads and writes files', () => {
  it('treats paths git prints as reads and paths it restores as writes', () => {
    expect(files('git diff HEAD~1 -- .env')).toEqual(['read:HEAD~1', 'read:.env']);
    expect(files('git show HEAD:secrets/db.txt')).toEqual(['read:secrets/db.txt']);
    expect(files('git -C repo log -p config.yaml')).toEqual(['read:config.yaml']);
    expect(files('git checkout -- src/app.ts')).toEqual(['write:src/app.ts']);
    expect(files('git status')).toEqual([]);
    expect(files('git commit -m "msg"')).toEqual([]);
  });
});
