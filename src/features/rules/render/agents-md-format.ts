// AGENTS.md (the format Codex, Jules, Cursor and others read): every rule for the project, inline.
import { inlineRulesDocument, PROJECT_INTRO } from './inline-rules-document.ts';
import type { SyncFormat } from './render-types.ts';

export const agentsMdFormat: SyncFormat = {
  name: 'agents-md',
  render: (content) => [
    {
      path: 'AGENTS.md',
      content: inlineRulesDocument({
        revision: content.revision,
        title: `${content.orgName} rules`,
        intro: PROJECT_INTRO,
        rules: content.rules,
      }),
    },
  ],
  locations: [],
};
