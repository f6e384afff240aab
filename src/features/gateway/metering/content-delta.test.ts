import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../test/support/seeded-random.ts';
import { contentDeltaChars, deltaChars, NOT_READ } from './content-delta.ts';

/** What the reader counts after a parse (its deltaChars), or undefined if the parse refuses the event. */
function parsedChars(data: string): number | undefined {
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return undefined;
  const e = event as Record<string, unknown>;
  return e.type === 'content_block_delta' ? deltaChars(e.delta) : undefined;
}

const delta = (text: string, type = 'text_delta', field = 'text', index = 0) =>
  JSON.stringify({ type: 'content_block_delta', index, delta: { type, [field]: text } });

const NASTY = [
  '"',
  '\\',
  'u',
  '0',
  '9',
  'a',
  'F',
  'g',
  '{',
  '}',
  ':',
  ',',
  ' ',
  '\n',
  '\u0001',
  '\u007f',
  'é',
  '\u2028',
  '\ud83d',
  '\ude00',
  'x',
  'n',
  '/',
];

describe('contentDeltaChars', () => {
  it('counts a delta as the parse does, escapes unescaped', () => {
    for (const text of [
      '',
      'plain',
      ' step 1: the "answer" is 42',
      'a\nb\tc\\d/e\bf\fg\rh',
      'é😀\u2028',
      '\u0001\u001f',
      '\ud800 lone',
    ]) {
      for (const [type, field] of [
        ['text_delta', 'text'],
        ['input_json_delta', 'partial_json'],
        ['thinking_delta', 'thinking'],
      ] as const) {
        const data = delta(text, type, field, 12);
        expect(contentDeltaChars(data)).toBe(text.length);
        expect(contentDeltaChars(data)).toBe(parsedChars(data));
      }
    }
    // `\/` and upper-case hex are JSON too, though JSON.stringify never writes them.
    expect(
      contentDeltaChars(
        '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\\/b\\u00E9"}}',
      ),
    ).toBe(4);
  });

  it('leaves to the parse what it does not read whole', () => {
    const cases = [
      // Another delta member, another form, another event; one too long to be a few tokens.
      delta('sig', 'signature_delta', 'signature'),
      delta('x'.repeat(5_000)),
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","extra":1}}',
      '{"type":"content_block_delta","index":0,"delta":{"text":"a","type":"text_delta"}}',
      '{"index":0,"type":"content_block_delta","delta":{"type":"text_delta","text":"a"}}',
      '{ "type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}} ',
      '{"type":"content_block_start","index":0,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":1.5,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":,"delta":{"type":"text_delta","text":"a"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"te\\u0078t_delta","text":"a"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"a\\"b","text":"a"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"x\\":\\"y","text":"a"}}',
      // Not JSON: a raw control character, a bad or cut escape, a quote left open or unescaped.
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\nb"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\\xb"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\\u12"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\\u12G4"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\\"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"b"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a}}',
    ];
    for (const data of cases) expect(contentDeltaChars(data), data).toBe(NOT_READ);
  });

  it('agrees with the parse on 20,000 generated deltas', () => {
    const next = seededRandom(1);
    for (let n = 0; n < 20_000; n++) {
      const length = Math.floor(next() * 40);
      let text = '';
      for (let i = 0; i < length; i++) {
        text +=
          next() < 0.7
            ? String.fromCharCode(32 + Math.floor(next() * 95))
            : NASTY[Math.floor(next() * NASTY.length)];
      }
      const data = delta(text, 'text_delta', 'text', Math.floor(next() * 20));
      expect(contentDeltaChars(data), data).toBe(parsedChars(data));
    }
  });

  it('never reads what the parse would refuse or count otherwise, over 200,000 mutated deltas', () => {
    const next = seededRandom(2);
    const seeds = [
      delta(' step 1: the "answer" is 42'),
      delta('a\\b\n"c"\u00e9', 'input_json_delta', 'partial_json', 3),
      delta('think \ud83d\ude00', 'thinking_delta', 'thinking', 10),
    ];
    let read = 0;
    for (let n = 0; n < 200_000; n++) {
      let data = seeds[n % seeds.length]!;
      for (let m = 1 + Math.floor(next() * 3); m > 0; m--) {
        const at = Math.floor(next() * (data.length + 1));
        const what = next();
        const piece = NASTY[Math.floor(next() * NASTY.length)]!;
        if (what < 0.33) data = data.slice(0, at) + data.slice(at + 1);
        else if (what < 0.66) data = data.slice(0, at) + piece + data.slice(at);
        else data = data.slice(0, at) + piece + data.slice(at + 1);
      }
      const chars = contentDeltaChars(data);
      if (chars === NOT_READ) continue;
      read++;
      expect(parsedChars(data), data).toBe(chars);
    }
    // The mutations must leave many deltas readable, or this would check nothing.
    expect(read).toBeGreaterThan(20_000);
  });
});
