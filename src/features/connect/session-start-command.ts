// The SessionStart hook as a shell command (Claude Code runs only command hooks for SessionStart): it
// posts the hook input to the server like the HTTP hooks do, and reports the project the session works
// in as headers, so the server can choose the rules for it (features/rules/project-report.ts): the
// project directory, the git remote (credentials stripped on the machine already), the names of the
// files at the project root, and the project's own `.claude/llm-rules.json`. Each is bounded; a
// missing git or file just leaves its header empty.
import { PROJECT_HEADERS } from '../rules/project-report.ts';

export function sessionStartCommand(url: string, bearer: string, timeoutSeconds: number): string {
  const project = `P="\${CLAUDE_PROJECT_DIR:-$PWD}"`;
  const headers = [
    `-H "Authorization: Bearer ${bearer}"`,
    `-H 'content-type: application/json'`,
    `-H "${PROJECT_HEADERS.dir}: $P"`,
    `-H "${PROJECT_HEADERS.repository}: $(git -C "$P" remote get-url origin 2>/dev/null | sed 's#//[^/@]*@#//#' | head -c 500)"`,
    `-H "${PROJECT_HEADERS.files}: $(ls -A "$P" 2>/dev/null | head -n 200 | tr '\\r\\n' '  ' | head -c 3000)"`,
    `-H "${PROJECT_HEADERS.declaration}: $(tr -d '\\r\\n' < "$P/.claude/llm-rules.json" 2>/dev/null | head -c 3000)"`,
  ];
  return `${project}; curl -sS --max-time ${timeoutSeconds} -X POST ${headers.join(' ')} --data-binary @- '${url}'`;
}
