import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './line-diff.ts';

const names = { from: 'a/rule.md', to: 'b/rule.md' };

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('x\n', 'x\n', names)).toBe('');
  });

  it('shows a changed line with its context, numbered as diff(1) does', () => {
    const before = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n';
    const after = 'one\ntwo\nthree\nFOUR\nfive\nsix\nseven\n';
    expect(unifiedDiff(before, after, names)).toBe(
      [
        '--- a/rule.md',
        '+++ b/rule.md',
        '@@ -1,7 +1,7 @@',
        ' one',
        ' two',
        ' three',
        '-four',
        '+FOUR',
        ' five',
        ' six',
        ' seven',
        '',
      ].join('\n'),
    );
  });

  it('keeps distant changes in separate hunks', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `l${i}`);
    const changed = [...lines];
    changed[2] = 'X';
    changed[25] = 'Y';
    const diff = unifiedDiff(`${lines.join('\n')}\n`, `${changed.join('\n')}\n`, names);
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).toContain('@@ -1,6 +1,6 @@');
    expect(diff).toContain('@@ -23,7 +23,7 @@');
  });

  it('diffs an added and a removed file', () => {
    expect(unifiedDiff('', 'a\nb\n', names)).toContain('@@ -0,0 +1,2 @@\n+a\n+b');
    expect(unifiedDiff('a\n', '', names)).toContain('@@ -1,1 +0,0 @@\n-a');
  });
});
