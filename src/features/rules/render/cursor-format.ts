// Cursor project rules: `.cursor/rules/<id>.mdc`, one per rule. A rule that always applies has
// `alwaysApply: true`; a path-scoped one is auto-attached through `globs` (comma-separated and
// unquoted, as Cursor writes them itself).
import { generatedFile } from './frontmatter-text.ts';
import type { SyncFormat } from './render-types.ts';
import { rulePaths, ruleTitle } from './rule-text.ts';

export const cursorFormat: SyncFormat = {
  name: 'cursor',
  render: (content) =>
    content.rules.map((rule) => {
      const globs = rulePaths(rule);
      return {
        path: `.cursor/rules/${rule.id}.mdc`,
        content: generatedFile(
          content.revision,
          [
            ['description', ruleTitle(rule)],
            { raw: globs.length > 0 ? `globs: ${globs.join(',')}` : 'globs:' },
            ['alwaysApply', globs.length === 0],
          ],
          rule.body,
        ),
      };
    }),
  locations: [{ dir: '.cursor/rules', suffix: '.mdc' }],
};
