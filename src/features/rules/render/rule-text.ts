// How a rule reads once rendered: its title, the paths it is scoped to, and its body inlined into a
// larger document (headings pushed down so they sit under the document's own).
import type { RuleDocument } from '../../../config/policy-config.ts';
import { appliesTo } from '../../../core/rules/select-rules.ts';

export function rulePaths(rule: RuleDocument): string[] {
  return appliesTo(rule).paths ?? [];
}

export function isPathScoped(rule: RuleDocument): boolean {
  return rulePaths(rule).length > 0;
}

/** The frontmatter title, else the body's first heading, else the id. */
export function ruleTitle(rule: RuleDocument): string {
  if (rule.title) return rule.title;
  const heading = /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(rule.body);
  return heading ? heading[1]! : rule.id;
}

/** `app/**`, `src/**\/*.tsx` as inline code, for prose. */
export function pathList(paths: readonly string[]): string {
  return paths.map((path) => `\`${path}\``).join(', ');
}

/**
 * The rule's body as a section at `level` (2 = `##`): its headings pushed down so its top one sits at
 * that level (a body without a heading gets its title as one), and a path-scoped rule's paths named
 * under the heading.
 */
export function inlineRule(rule: RuleDocument, level: number): string {
  let body = rule.body.trim();
  if (!/^#{1,6}[ \t]/.test(body)) body = `# ${ruleTitle(rule)}\n\n${body}`;
  const lines = shiftHeadings(body, level - 1).split('\n');
  const paths = rulePaths(rule);
  if (paths.length > 0) lines.splice(1, 0, '', `Applies to files matching ${pathList(paths)}.`);
  return lines.join('\n');
}

/** Adds `by` levels to every ATX heading outside fenced code blocks (at most `######`). */
export function shiftHeadings(markdown: string, by: number): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((line) => {
      const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (opening) {
        if (fence === null) fence = opening[1]!.slice(0, 3);
        else if (opening[1]!.startsWith(fence)) fence = null;
        return line;
      }
      if (fence !== null || by <= 0) return line;
      const heading = /^(#{1,6})([ \t].*)?$/.exec(line);
      if (!heading) return line;
      return `${'#'.repeat(Math.min(6, heading[1]!.length + by))}${heading[2] ?? ''}`;
    })
    .join('\n');
}
