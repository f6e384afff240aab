// The scripting model of the mock: which reply the main agent loop gets at each point of the conversation.
import type { MessagesRequestBody, RequestMessage, Usage } from './wire-types.ts';

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  /** Defaults to `toolu_mock_<turn>_<n>`. */
  id?: string;
}

export type ScriptedReply =
  | { kind: 'text'; text: string; usage?: Partial<Usage> }
  | { kind: 'tool_use'; calls: ToolCall[]; text?: string; usage?: Partial<Usage> };

/** An HTTP error in Anthropic's shape; it answers one request and then gives way to the next entry. */
export interface ScriptedError {
  kind: 'error';
  status: number;
  errorType: string;
  message: string;
  headers?: Record<string, string>;
}

export type ScriptEntry = ScriptedReply | ScriptedError;

/** A step may be computed from the request, e.g. to echo what a tool returned. */
export type ScriptStep = ScriptEntry | ((body: MessagesRequestBody) => ScriptEntry);

export function text(reply: string, usage?: Partial<Usage>): ScriptedReply {
  return usage ? { kind: 'text', text: reply, usage } : { kind: 'text', text: reply };
}

export function toolUse(
  name: string,
  input: Record<string, unknown>,
  options: { id?: string; text?: string } = {},
): ScriptedReply {
  const call: ToolCall = options.id ? { name, input, id: options.id } : { name, input };
  return options.text === undefined
    ? { kind: 'tool_use', calls: [call] }
    : { kind: 'tool_use', calls: [call], text: options.text };
}

/** Several tool calls in one assistant turn (Claude Code runs them and answers all in one user message). */
export function toolUses(calls: ToolCall[], leadingText?: string): ScriptedReply {
  return leadingText === undefined
    ? { kind: 'tool_use', calls }
    : { kind: 'tool_use', calls, text: leadingText };
}

export function apiError(
  status: number,
  errorType: string,
  message: string,
  headers?: Record<string, string>,
): ScriptedError {
  return headers
    ? { kind: 'error', status, errorType, message, headers }
    : { kind: 'error', status, errorType, message };
}

/**
 * The turn a request asks for: how many assistant turns the conversation already holds.
 * Consecutive assistant messages count once, so a client that splits one turn into several
 * messages (text, then tool_use) still lands on the same step, and a retried request
 * (same messages) asks for the same step again.
 */
export function turnIndex(messages: RequestMessage[] | undefined): number {
  let turns = 0;
  let previous: string | undefined;
  for (const message of messages ?? []) {
    if (message.role === 'assistant' && previous !== 'assistant') turns += 1;
    previous = message.role;
  }
  return turns;
}

/**
 * Walks a script. Error entries belong to the reply that follows them: at turn N the first
 * requests get N's errors in order (one each), later ones get N's reply.
 */
export class ScriptCursor {
  readonly #steps: { errors: ScriptStep[]; reply: ScriptStep }[] = [];
  readonly #errorsServed = new Map<number, number>();
  readonly #fallback: ScriptedReply;
  exhausted = 0;

  constructor(script: ScriptStep[], fallback: ScriptedReply) {
    this.#fallback = fallback;
    let pendingErrors: ScriptStep[] = [];
    for (const step of script) {
      if (typeof step !== 'function' && step.kind === 'error') {
        pendingErrors.push(step);
        continue;
      }
      this.#steps.push({ errors: pendingErrors, reply: step });
      pendingErrors = [];
    }
    if (pendingErrors.length > 0) this.#steps.push({ errors: pendingErrors, reply: fallback });
  }

  get length(): number {
    return this.#steps.length;
  }

  next(body: MessagesRequestBody): { turn: number; entry: ScriptEntry } {
    const turn = turnIndex(body.messages);
    const step = this.#steps[turn];
    if (!step) {
      this.exhausted += 1;
      return { turn, entry: this.#fallback };
    }
    const served = this.#errorsServed.get(turn) ?? 0;
    const error = step.errors[served];
    const chosen = error ?? step.reply;
    if (error) this.#errorsServed.set(turn, served + 1);
    return { turn, entry: typeof chosen === 'function' ? chosen(body) : chosen };
  }
}
