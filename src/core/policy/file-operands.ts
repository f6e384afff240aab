// Which files a shell command reads or writes, judged from its name and operands (options skipped).

import type { FileAccess, FileUse } from './bash-commands.ts';
import type { ShellWord } from './shell-parser.ts';

const READERS = new Set([
  'cat',
  'head',
  'tail',
  'less',
  'more',
  'bat',
  'nl',
  'wc',
  'sort',
  'uniq',
  'strings',
  'od',
  'xxd',
  'hexdump',
  'base64',
  'diff',
  'cmp',
  'source',
  '.',
  'cut',
  'paste',
  'column',
  'tac',
  'rev',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'file',
  'view',
  'zcat',
  'gunzip',
  'tar',
  'unzip',
  'openssl',
  'scp',
  'rsync',
]);
const EDITORS = new Set([
  'vim',
  'vi',
  'nvim',
  'nano',
  'emacs',
  'code',
  'ed',
  'pico',
  'micro',
  'touch',
  'rm',
  'truncate',
  'shred',
  'unlink',
  'mkdir',
  'rmdir',
  'tee',
]);
/** The first operand is a pattern or program, not a file (unless given by -e / -f). */
const PATTERN_FIRST = new Set([
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'ack',
  'sed',
  'awk',
  'gawk',
  'jq',
  'yq',
]);

/** git subcommands that print file contents (`git diff -- .env`, `git show HEAD:.env`) or change files. */
const GIT_READS = new Set(['diff', 'show', 'log', 'blame', 'annotate', 'cat-file', 'grep', 'difftool']);
const GIT_WRITES = new Set(['checkout', 'restore', 'rm', 'mv']);

/**
 * Every non-option operand of a reading git subcommand is treated as a path it may print: revisions
 * among them match no file rule, so only a real path can be refused (`HEAD:.env` counts as `.env`).
 */
function gitOperands(words: ShellWord[]): FileUse[] {
  let i = 1;
  while (i < words.length && words[i]!.text.startsWith('-')) i += /^-(C|c)$/.test(words[i]!.text) ? 2 : 1;
  const sub = words[i]?.text;
  if (!sub || (!GIT_READS.has(sub) && !GIT_WRITES.has(sub))) return [];
  const operands = words
    .slice(i + 1)
    .filter((w) => !w.text.startsWith('-'))
    .map((w) => (w.text.includes(':') ? { ...w, text: w.text.slice(w.text.indexOf(':') + 1) } : w));
  return uses(GIT_READS.has(sub) ? 'read' : 'write', operands);
}

export function fileOperands(name: string, words: ShellWord[]): FileUse[] {
  if (name === 'git') return gitOperands(words);
  if (name === 'dd') {
    return words.flatMap((w): FileUse[] => {
      if (w.text.startsWith('if=')) return [{ access: 'read', path: w.text.slice(3), glob: w.glob }];
      if (w.text.startsWith('of=')) return [{ access: 'write', path: w.text.slice(3), glob: w.glob }];
      return [];
    });
  }
  const operands: ShellWord[] = [];
  let explicitPattern = false;
  let inPlace = false;
  let endOfOptions = false;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    const text = word.text;
    if (!endOfOptions && text === '--') endOfOptions = true;
    else if (!endOfOptions && text.startsWith('-') && text.length > 1) {
      if (PATTERN_FIRST.has(name) && /^-(e|f|-regexp|-file)$/.test(text)) {
        explicitPattern = true;
        const next = words[i + 1];
        if ((text === '-f' || text === '--file') && next) operands.push(next);
        i++;
      }
      if (name === 'sed' && /^-[a-zA-Z]*i/.test(text)) inPlace = true;
      if (text === '--in-place' || text.startsWith('--in-place=')) inPlace = true;
    } else if (!(word.dynamic && /^[<>]\(/.test(text))) operands.push(word);
  }
  const files = PATTERN_FIRST.has(name) && !explicitPattern ? operands.slice(1) : operands;
  if (READERS.has(name)) return uses('read', files);
  if (PATTERN_FIRST.has(name)) return uses(inPlace ? 'write' : 'read', files);
  if (EDITORS.has(name)) return uses('write', files);
  if (name === 'chmod' || name === 'chown') return uses('write', files.slice(1));
  if (name === 'cp' || name === 'ln' || name === 'install') {
    return [...uses('read', files.slice(0, -1)), ...uses('write', files.slice(-1))];
  }
  if (name === 'mv') return [...uses('write', files), ...uses('read', files.slice(0, -1))];
  return [];
}

function uses(access: FileAccess, words: ShellWord[]): FileUse[] {
  return words.filter((w) => w.text !== '').map((w) => ({ access, path: w.text, glob: w.glob }));
}
