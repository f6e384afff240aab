// Turns a scripted reply into an Anthropic message and into the SSE events that stream it.
import type { ScriptedReply } from './script.ts';
import type {
  AnthropicMessage,
  MessagesRequestBody,
  ResponseBlock,
  StreamEvent,
  Usage,
} from './wire-types.ts';

/** Roughly four characters a token, as a stand-in for a tokenizer; deterministic for a given body. */
export function estimateTokens(value: unknown): number {
  const serialized = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return Math.max(1, Math.ceil(serialized.length / 4));
}

export function inputTokens(body: MessagesRequestBody): number {
  return estimateTokens({ system: body.system, messages: body.messages, tools: body.tools });
}

export function buildMessage(
  reply: ScriptedReply,
  body: MessagesRequestBody,
  ids: { message: string; turn: number },
): AnthropicMessage {
  const content: ResponseBlock[] = [];
  if (reply.kind === 'text') content.push({ type: 'text', text: reply.text });
  else {
    if (reply.text) content.push({ type: 'text', text: reply.text });
    reply.calls.forEach((call, n) => {
      const id = call.id ?? `toolu_mock_${ids.turn}_${n}`;
      content.push({ type: 'tool_use', id, name: call.name, input: call.input });
    });
  }
  const usage: Usage = {
    input_tokens: inputTokens(body),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: estimateTokens(content),
    ...reply.usage,
  };
  return {
    id: ids.message,
    type: 'message',
    role: 'assistant',
    model: body.model ?? 'claude-mock',
    content,
    stop_reason: reply.kind === 'tool_use' ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage,
  };
}

/** Splits a string into `parts` roughly equal pieces so clients must reassemble deltas. */
function pieces(value: string, parts: number): string[] {
  if (value.length === 0) return [];
  const size = Math.max(1, Math.ceil(value.length / parts));
  const out: string[] = [];
  for (let at = 0; at < value.length; at += size) out.push(value.slice(at, at + size));
  return out;
}

/**
 * The events Anthropic sends for `message`: `message_start` carries the input-side usage and
 * `output_tokens: 1`; each block opens empty, fills through deltas (tool input as partial JSON,
 * starting with an empty fragment as the API does) and closes; a `ping` follows the first block
 * start; `message_delta` carries the stop reason and the cumulative usage.
 */
export function streamEvents(message: AnthropicMessage): StreamEvent[] {
  const events: StreamEvent[] = [
    {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
    },
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      if (index === 0) events.push({ type: 'ping' });
      for (const text of pieces(block.text, 3)) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
      }
    } else {
      events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
      if (index === 0) events.push({ type: 'ping' });
      for (const partial_json of ['', ...pieces(JSON.stringify(block.input), 3)]) {
        events.push({
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json },
        });
      }
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason ?? 'end_turn', stop_sequence: null },
    usage: message.usage,
  });
  events.push({ type: 'message_stop' });
  return events;
}

export function encodeEvent(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
