// YAML frontmatter for the generated files: fields in the order given, absent ones left out, and the
// generated-file header right after it (frontmatter must open the file for every tool that reads one).
import { stringify } from 'yaml';
import { generatedHeader } from './generated-header.ts';

/** One frontmatter line (or block): a YAML mapping entry, or text written as is (Cursor's `globs`). */
export type FrontmatterField = [key: string, value: unknown] | { raw: string };

export function frontmatter(fields: readonly FrontmatterField[]): string {
  const lines: string[] = [];
  for (const field of fields) {
    if (!Array.isArray(field)) lines.push(field.raw);
    else if (field[1] !== undefined)
      lines.push(stringify({ [field[0]]: field[1] }, { lineWidth: 0 }).trimEnd());
  }
  return lines.length === 0 ? '' : `---\n${lines.join('\n')}\n---\n`;
}

/** A list of globs, each double-quoted as the tools' documentation writes them (`- "src/**"`). */
export function quotedList(key: string, items: readonly string[]): FrontmatterField {
  return { raw: [`${key}:`, ...items.map((item) => `  - ${JSON.stringify(item)}`)].join('\n') };
}

/** Frontmatter (if any), the generated-file header, then the body, ending in one newline. */
export function generatedFile(revision: string, fields: readonly FrontmatterField[], body: string): string {
  return `${frontmatter(fields)}${generatedHeader(revision)}\n\n${body.trim()}\n`;
}
