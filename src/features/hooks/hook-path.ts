// Where Claude Code posts hook events.
export const HOOK_PATH = '/v1/hooks/claude-code';
