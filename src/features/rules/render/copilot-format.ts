// GitHub Copilot: `.github/copilot-instructions.md` with the rules that always apply, and one
// `.github/instructions/<id>.instructions.md` per path-scoped rule, scoped with `applyTo`.
import { generatedFile } from './frontmatter-text.ts';
import { inlineRulesDocument, PROJECT_INTRO } from './inline-rules-document.ts';
import type { SyncFormat } from './render-types.ts';
import { isPathScoped, rulePaths } from './rule-text.ts';

export const copilotFormat: SyncFormat = {
  name: 'copilot',
  render: (content) => {
    const scoped = content.rules.filter(isPathScoped);
    return [
      {
        path: '.github/copilot-instructions.md',
        content: inlineRulesDocument({
          revision: content.revision,
          title: `${content.orgName} rules`,
          intro:
            scoped.length > 0
              ? `${PROJECT_INTRO} Rules for some paths are in \`.github/instructions/\`.`
              : PROJECT_INTRO,
          rules: content.rules.filter((rule) => !isPathScoped(rule)),
        }),
      },
      ...scoped.map((rule) => ({
        path: `.github/instructions/${rule.id}.instructions.md`,
        content: generatedFile(
          content.revision,
          [{ raw: `applyTo: ${JSON.stringify(rulePaths(rule).join(','))}` }],
          rule.body,
        ),
      })),
    ];
  },
  locations: [{ dir: '.github/instructions', suffix: '.instructions.md' }],
};
