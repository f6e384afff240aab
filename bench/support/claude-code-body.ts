// A Messages API body shaped as Claude Code sends it (the members and their order of
// test/fixtures/claude-code-2.1.330/messages-request.json), compact, with a conversation of code-like
// text (quotes, backslashes, line breaks: what JSON escapes) grown until the whole body is about `kilobytes`.

const codeLines = (count: number, seed: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      `  const value${seed}_${i} = await load("path/to/file${i}.ts", { retries: ${i % 5} }); // \\ step ${i}`,
  ).join('\n');

export function claudeCodeBody(kilobytes: number, model = 'claude-opus-5-5'): Buffer {
  const tools = Array.from({ length: 12 }, (_, i) => ({
    name: `Tool${i}`,
    description: codeLines(15, i),
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'The file.' }, limit: { type: 'number' } },
      required: ['path'],
    },
  }));
  const messages: unknown[] = [];
  const body = {
    model,
    messages,
    system: [{ type: 'text', text: codeLines(100, -1) }],
    tools,
    metadata: { user_id: '{"device_id":"ebd53cc1","account_uuid":"","session_id":"ac9eb29e"}' },
    max_tokens: 128_000,
    thinking: { type: 'adaptive', display: 'omitted' },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    output_config: { effort: 'medium' },
    stream: true,
  };
  // The conversation grows until the whole body is about the size asked for.
  for (let i = 0, size = JSON.stringify(body).length; size < kilobytes * 1024; i++) {
    const content =
      i % 2 === 0
        ? [{ type: 'text', text: codeLines(12, i) }]
        : [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: codeLines(40, i) }];
    messages.push({ role: i % 2 === 0 ? 'assistant' : 'user', content });
    size += JSON.stringify(content).length + 30;
  }
  return Buffer.from(JSON.stringify(body));
}
