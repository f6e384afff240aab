import { describe, expect, it } from 'vitest';
import { inspectMessagesRequest } from './messages-request.ts';

const estimate = (messages: unknown[]) =>
  inspectMessagesRequest(Buffer.from(JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 10, messages })))
    .estimatedInputTokens;

describe('inspectMessagesRequest: the input estimate', () => {
  it('prices a base64 attachment by the piece, but counts a plain-text document by its text', () => {
    const base64 = {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(400_000) },
    };
    const textDoc = {
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: 'word '.repeat(80_000) },
    };
    expect(estimate([{ role: 'user', content: [base64] }])).toBeLessThan(2_000);
    expect(estimate([{ role: 'user', content: [textDoc] }])).toBeGreaterThan(100_000);
  });

  it('counts text outside ASCII at more than a token a character', () => {
    const english = estimate([{ role: 'user', content: 'a'.repeat(4_000) }]);
    const chinese = estimate([{ role: 'user', content: '汉'.repeat(4_000) }]);
    expect(english).toBeLessThan(1_100);
    expect(chinese).toBeGreaterThanOrEqual(6_000);
  });
});

describe('inspectMessagesRequest: compact and pretty-printed bodies', () => {
  it('estimates a compact body from its bytes and a pretty-printed one from its content, alike', () => {
    const request = {
      model: 'claude-sonnet-5',
      max_tokens: 10,
      system: 'Be brief.',
      messages: [{ role: 'user', content: `${'a'.repeat(3_000)} ${'汉'.repeat(1_000)}` }],
    };
    const compact = inspectMessagesRequest(Buffer.from(JSON.stringify(request))).estimatedInputTokens;
    const pretty = inspectMessagesRequest(Buffer.from(JSON.stringify(request, null, 8))).estimatedInputTokens;
    // The pretty-printed body's indentation is not counted; the compact one counts `model` and `max_tokens`.
    expect(pretty).toBeGreaterThanOrEqual(750 + 1_500);
    expect(compact).toBeGreaterThanOrEqual(pretty);
    expect(compact - pretty).toBeLessThan(20);
  });
});

describe('inspectMessagesRequest: the members read', () => {
  it('takes the top-level model, not one nested in the conversation or the metadata', () => {
    const body = { metadata: { model: 'nested' }, model: 'claude-sonnet-5', max_tokens: 10, stream: true };
    expect(inspectMessagesRequest(Buffer.from(JSON.stringify(body)))).toMatchObject({
      model: 'claude-sonnet-5',
      maxTokens: 10,
      stream: true,
    });
  });

  it('refuses a body naming its model twice, as a client error that says so', () => {
    const raw = Buffer.from('{"model":"claude-haiku-4-5","messages":[],"model":"claude-opus-5"}');
    expect(() => inspectMessagesRequest(raw)).toThrow(/not valid JSON: "model" is given twice/);
  });

  it('refuses a body that is not a JSON object, naming the byte', () => {
    expect(() => inspectMessagesRequest(Buffer.from('{"model":"m","messages":[}'))).toThrow(
      /not valid JSON: mismatched bracket at byte 25/,
    );
  });

  it('refuses a stream flag that is not a boolean, which a lenient upstream might still read as one', () => {
    for (const stream of ['1', '"true"', 'null']) {
      const raw = Buffer.from(`{"model":"m","max_tokens":5,"stream":${stream}}`);
      expect(() => inspectMessagesRequest(raw), stream).toThrow(/stream: must be a boolean/);
    }
  });

  it('estimates a pretty-printed body nested too deep to re-serialize from its bytes, not a server error', () => {
    const depth = 20_000;
    const raw = Buffer.from(`{"model":"m",\n"messages":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(inspectMessagesRequest(raw).estimatedInputTokens).toBeGreaterThanOrEqual((2 * depth) / 4);
  });
});

describe('inspectMessagesRequest: what counts as an attachment', () => {
  it('takes only a `"type": "base64"` member for a source, not the word base64 elsewhere', () => {
    const padding = 'x'.repeat(4_000);
    const compact = (extra: object) =>
      inspectMessagesRequest(
        Buffer.from(
          JSON.stringify({ model: 'm', max_tokens: 5, metadata: { padding }, messages: [], ...extra }),
        ),
      ).estimatedInputTokens;
    // A compact body is counted from its bytes, metadata included; a parsed one from what the model reads.
    const counted = compact({});
    expect(counted).toBeGreaterThan(1_000);
    expect(compact({ tools: [{ input_schema: { enum: ['base64', 'hex'] } }] })).toBeGreaterThan(1_000);
    expect(compact({ system: 'base64' })).toBeGreaterThan(1_000);
    // A real base64 source, compact or spaced, goes the parsed way.
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } };
    expect(compact({ messages: [{ role: 'user', content: [image] }] })).toBeLessThan(100);
    const spaced = Buffer.from(
      `{"model":"m","metadata":{"padding":"${padding}"},"messages":[{"role":"user","content":[{"type":"image","source":{"type" :\t"base64","data":"AAAA"}}]}]}`,
    );
    expect(inspectMessagesRequest(spaced).estimatedInputTokens).toBeLessThan(100);
  });
});

describe('inspectMessagesRequest: a compact body outside ASCII', () => {
  it('counts its characters block by block within a token or two of decoding all of it, wherever they fall', () => {
    for (const at of [16_370, 16_380, 16_383, 16_384, 16_385, 40_000]) {
      const content = `${'a'.repeat(at)}汉é😀${'b'.repeat(20_000)}`;
      const raw = Buffer.from(
        JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content }] }),
      );
      const text = raw.toString('utf8');
      const nonAscii = Math.ceil((raw.length - text.length) / 2);
      const decoded = Math.ceil((text.length - nonAscii) / 4 + nonAscii * 1.5);
      const estimate = inspectMessagesRequest(raw).estimatedInputTokens;
      expect(Math.abs(estimate - decoded), String(at)).toBeLessThanOrEqual(2);
    }
  });
});
