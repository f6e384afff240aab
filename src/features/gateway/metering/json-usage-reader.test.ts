import { describe, expect, it } from 'vitest';
import { NO_TOKENS } from '../../../core/pricing/usage-cost.ts';
import { completeUsage, usageFields } from './anthropic-usage.ts';
import { JsonUsageReader } from './json-usage-reader.ts';

/** What the reader gave when it parsed every body whole: the reference the member scan must agree with. */
function parsedWhole(body: string) {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    return {
      usage: completeUsage(usageFields(parsed.usage)),
      model: typeof parsed.model === 'string' ? parsed.model : undefined,
      malformed: undefined,
    };
  } catch {
    return { usage: { ...NO_TOKENS }, model: undefined, malformed: 'a response body that is not JSON' };
  }
}

/** Past the size from which the reader scans for its members rather than parsing the body whole. */
const LONG_TEXT = 'x'.repeat(3000);

/** `body` as an object with a long first member, so the reader scans it; other bodies as they are. */
function lengthened(body: string): string {
  return body.startsWith('{') ? `{"pad":"${LONG_TEXT}",${body.slice(1)}` : `${body}${' '.repeat(3000)}`;
}

function read(...chunks: (string | Buffer)[]) {
  const reader = new JsonUsageReader();
  for (const chunk of chunks) reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return reader.reading();
}

const ANSWER = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: `The "usage" is {not} here: \\ \u00e9 \ud83d\ude00 ${LONG_TEXT}` }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 12,
    cache_creation_input_tokens: 100,
    cache_read_input_tokens: 7,
    cache_creation: { ephemeral_5m_input_tokens: 60, ephemeral_1h_input_tokens: 40 },
    output_tokens: 8,
  },
};

describe('JsonUsageReader', () => {
  it('reads usage and model from a Messages API answer, in one chunk or several', () => {
    const body = JSON.stringify(ANSWER);
    const expected = {
      usage: { input: 12, output: 8, cacheWrite5m: 60, cacheWrite1h: 40, cacheRead: 7 },
      model: 'claude-sonnet-4-5-20250929',
      malformed: undefined,
    };
    expect(read(body)).toEqual(expected);
    expect(read(JSON.stringify(ANSWER, null, 2))).toEqual(expected);
    const bytes = Buffer.from(body);
    // Split inside a multi-byte character too.
    const cut = bytes.indexOf(Buffer.from('\u00e9')) + 1;
    expect(read(bytes.subarray(0, cut), bytes.subarray(cut, cut + 5), bytes.subarray(cut + 5))).toEqual(
      expected,
    );
  });

  it('reads what a whole parse reads for bodies the scan refuses', () => {
    const cases = [
      // A member given twice: JSON.parse keeps the last.
      '{"usage":{"input_tokens":1},"model":"a","usage":{"input_tokens":5,"output_tokens":3}}',
      // A name that only differs by case from one read.
      '{"Model":"x","model":"claude-haiku-4-5","usage":{"output_tokens":2}}',
      // Not an object.
      '"just a string"',
      'null',
      '[1,2]',
      // Not JSON.
      '{"usage": {"input_tokens": 3}',
      'upstream says no',
      '',
    ];
    for (const body of cases) {
      expect(read(body), body).toEqual(parsedWhole(body));
      expect(read(lengthened(body)), body).toEqual(parsedWhole(lengthened(body)));
    }
  });

  it('reads a body that is not valid UTF-8 as a whole parse does (its bytes decoded leniently)', () => {
    const body = Buffer.concat([
      Buffer.from('{"model":"claude-haiku-4-5","content":[{"type":"text","text":"'),
      Buffer.from([0xc1, 0xac, 0xff]),
      Buffer.from(LONG_TEXT),
      Buffer.from('"}],"usage":{"input_tokens":4,"output_tokens":6}}'),
    ]);
    expect(read(body)).toEqual(parsedWhole(body.toString('utf8')));
    expect(read(body).usage).toMatchObject({ input: 4, output: 6 });
  });

  it('agrees with a whole parse on generated answers', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const texts = [
      '',
      'plain',
      'quote " and \\ backslash',
      '{"usage":{"output_tokens":999}}',
      '\u2028\n\t',
      'ü',
      LONG_TEXT,
      `"usage": ${LONG_TEXT}`,
    ];
    for (let n = 0; n < 500; n++) {
      const answer: Record<string, unknown> = {};
      const members: [string, () => unknown][] = [
        ['id', () => `msg_${n}`],
        ['model', () => pick(['claude-haiku-4-5', 'm\u00f6del', 42, null])],
        ['content', () => [{ type: 'text', text: pick(texts) }, { nested: [[], {}, [{ a: pick(texts) }]] }]],
        ['stop_reason', () => pick(['end_turn', null])],
        [
          'usage',
          () =>
            pick([
              { input_tokens: n, output_tokens: n * 2 },
              { input_tokens: 1.5, output_tokens: -1, cache_read_input_tokens: 1e3 },
              { cache_creation_input_tokens: 10, cache_creation: { ephemeral_1h_input_tokens: 20 } },
              'not an object',
              null,
            ]),
        ],
      ];
      for (const [name, value] of members) if (random() < 0.85) answer[name] = value();
      const body = JSON.stringify(answer, null, pick([0, 1, '\t']));
      expect(read(body), body).toEqual(parsedWhole(body));
    }
  });

  it('reads the usage of an answer whose skipped members are not valid JSON (the client is the judge of those)', () => {
    // Only the members read are parsed; the rest are checked for their structure alone.
    const body = `{"model":"claude-haiku-4-5","content":[tru,"${LONG_TEXT}"],"usage":{"output_tokens":9}}`;
    expect(read(body)).toMatchObject({
      usage: { output: 9 },
      malformed: undefined,
    });
  });
});
