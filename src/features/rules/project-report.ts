// What the SessionStart hook command reports about the project beside the hook input, as headers:
// the git remote, the names of the files at the project root, the project's own declaration
// (`.claude/llm-rules.json`) and its directory. Everything is optional and bounded; a remote's
// credentials are dropped before anything is kept.

import type { IncomingHttpHeaders } from 'node:http';
import {
  detectTechStacks,
  normalizeRepository,
  parseProjectDeclaration,
  projectTechStacks,
} from '../../core/rules/project-facts.ts';
import type { SessionProject } from '../../storage/session-port.ts';

export const PROJECT_HEADERS = {
  repository: 'x-llm-rules-repository',
  files: 'x-llm-rules-project-files',
  declaration: 'x-llm-rules-project',
  dir: 'x-llm-rules-project-dir',
} as const;

const MAX_HEADER = 4_000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, MAX_HEADER);
}

/** The project a SessionStart reported, or undefined when it reported nothing (an older hook). */
export function projectFromHeaders(headers: IncomingHttpHeaders): SessionProject | undefined {
  const remote = header(headers, PROJECT_HEADERS.repository);
  const files = header(headers, PROJECT_HEADERS.files);
  const declared = parseProjectDeclaration(header(headers, PROJECT_HEADERS.declaration));
  const dir = header(headers, PROJECT_HEADERS.dir);
  if (
    remote === undefined &&
    files === undefined &&
    dir === undefined &&
    Object.keys(declared).length === 0
  ) {
    return undefined;
  }
  const names = (files ?? '').split(/\s+/).filter(Boolean).slice(0, 500);
  return {
    repository: normalizeRepository(declared.repository ?? remote),
    techStacks: projectTechStacks(declared.tech_stacks, detectTechStacks(names)),
    projectDir: dir?.startsWith('/') ? dir : null,
  };
}
