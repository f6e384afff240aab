// Splits a markdown file into its optional YAML frontmatter (between `---` lines) and its body, reporting
// an unclosed fence or a frontmatter that is not a mapping at its line. Rules, agents and commands share it.

import { displayPath, type LoadContext } from './config-files.ts';
import { parseSource, type SourceFile } from './source-file.ts';

export type SplitMarkdown =
  | { kind: 'plain'; body: string }
  | { kind: 'frontmatter'; source: SourceFile; raw: Record<string, unknown>; body: string }
  | { kind: 'broken' };

const FENCE = /^---[ \t]*$/;

export function splitMarkdown(ctx: LoadContext, path: string, text: string): SplitMarkdown {
  const file = displayPath(ctx, path);
  const lines = text.split('\n');
  if (!FENCE.test((lines[0] ?? '').replace(/\r$/, ''))) return { kind: 'plain', body: text };
  const close = lines.findIndex((line, index) => index > 0 && FENCE.test(line.replace(/\r$/, '')));
  if (close === -1) {
    ctx.problems.add({
      file,
      line: 1,
      column: 1,
      path: '',
      message: 'frontmatter opened with "---" is never closed',
      hint: 'end the frontmatter with a line containing only ---',
      severity: 'error',
    });
    return { kind: 'broken' };
  }
  const yamlText = lines.slice(1, close).join('\n');
  const body = lines.slice(close + 1).join('\n');
  const parsed = parseSource(yamlText, { file, rel: path, env: ctx.env, lineOffset: 1 }, ctx.problems);
  if (!parsed) return { kind: 'broken' };
  const raw = parsed.value ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    ctx.problems.add({
      file,
      line: 2,
      column: 1,
      path: '',
      message: 'frontmatter must be a mapping (key: value)',
      severity: 'error',
    });
    return { kind: 'broken' };
  }
  return { kind: 'frontmatter', source: parsed, raw: raw as Record<string, unknown>, body };
}
