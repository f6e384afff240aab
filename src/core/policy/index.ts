// The policy engine's public API: compile a bundle once, then decide tool calls against it.

export type { FileUse, SubCommand } from './bash-commands.ts';
export { splitBashCommand } from './bash-commands.ts';
export { compilePolicy } from './compile-policy.ts';
export type { CompiledPolicy } from './compiled-types.ts';
export { decide } from './decide.ts';
export { normalizePath } from './path-normalize.ts';
export type { Decision, DecisionInput, Outcome, PolicyPrincipal } from './types.ts';
