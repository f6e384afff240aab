import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.ts';
import { JsonShapeError, readTopLevelMembers } from './json-top-level.ts';

const WANTED = new Set(['model', 'stream', 'max_tokens']);
const read = (text: string, wanted: ReadonlySet<string> = WANTED) =>
  Object.fromEntries(readTopLevelMembers(Buffer.from(text, 'utf8'), wanted));

const AWKWARD_STRINGS = [
  '',
  'model',
  '"model":"x"',
  '\\',
  '\\"',
  'a"b',
  '}]{[',
  '汉字',
  '\u0000\u001f',
  '😀',
  '\n\t',
  // Escaped quotes close together (looked for byte by byte), far apart (by a native search), and both.
  '"'.repeat(40),
  'a\\"'.repeat(20),
  `${'x'.repeat(30)}"${'"'.repeat(9)}${'y'.repeat(30)}"${'z'.repeat(12)}"`,
];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 4 : 6));
  if (pick === 0) return AWKWARD_STRINGS[Math.floor(next() * AWKWARD_STRINGS.length)];
  if (pick === 1) return Math.floor(next() * 1e6) / (next() < 0.5 ? 1 : 7);
  if (pick === 2) return [true, false, null][Math.floor(next() * 3)];
  if (pick === 3) return `text ${Math.floor(next() * 1e9)} with "quotes" and \\ backslashes`;
  if (pick === 4) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(next() * 4) }, (_, i) => [
      next() < 0.3 ? 'model' : `k${i}`,
      randomValue(next, depth + 1),
    ]),
  );
}

function randomObject(next: () => number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = 0; i < 6; i++) object[`m${i}`] = randomValue(next, 0);
  if (next() < 0.8) object.model = AWKWARD_STRINGS[Math.floor(next() * AWKWARD_STRINGS.length)];
  if (next() < 0.5) object.max_tokens = Math.floor(next() * 100_000);
  if (next() < 0.5) object.stream = next() < 0.5;
  return object;
}

describe('readTopLevelMembers', () => {
  it('reads what JSON.parse reads, for every member, across generated objects compact and indented', () => {
    const next = seededRandom(42);
    for (let n = 0; n < 500; n++) {
      const object = randomObject(next);
      const all = new Set(Object.keys(object));
      for (const text of [JSON.stringify(object), JSON.stringify(object, null, n % 3 === 0 ? '\t' : 2)]) {
        expect(read(text, all)).toEqual(JSON.parse(text));
      }
    }
  });

  it('finds the end of a string whatever the gap between its escaped quotes', () => {
    for (let run = 1; run <= 3; run++) {
      for (let gap = 0; gap <= 24; gap++) {
        const value = `${'"'.repeat(run)}${'x'.repeat(gap)}"${'y'.repeat(gap)}"`;
        // The closing quote itself at each distance from an escaped one.
        const ending = `${'"'.repeat(run)}${'x'.repeat(gap)}`;
        const text = JSON.stringify({ a: value, model: 'm', b: [value, { c: ending }, ending] });
        expect(read(text, new Set(['a', 'model', 'b'])), text).toEqual(JSON.parse(text));
      }
    }
  });

  it('refuses every truncation of an object as not an object', () => {
    const next = seededRandom(7);
    for (let n = 0; n < 50; n++) {
      const text = JSON.stringify(randomObject(next));
      for (let cut = 0; cut < text.length; cut++) {
        expect(() => read(text.slice(0, cut)), text.slice(0, cut)).toThrow(JsonShapeError);
      }
    }
  });

  it('decodes a member name written with escapes before comparing it', () => {
    expect(read('{"mod\\u0065l":"claude-x","m\\u0061x_tokens":5}')).toEqual({
      model: 'claude-x',
      max_tokens: 5,
    });
  });

  it('refuses a member read twice (parsers differ on which wins), whatever way its name is written', () => {
    expect(() => read('{"model":"a","messages":[],"model":"b"}')).toThrow(/"model" is given twice/);
    expect(() => read('{"model":"a","mod\\u0065l":"b"}')).toThrow(/given twice/);
    // Members not read may repeat: the upstream decides about those.
    expect(read('{"metadata":1,"metadata":2,"model":"a"}')).toEqual({ model: 'a' });
  });

  it('reads only the top level: a nested member of the same name is not the model', () => {
    expect(read('{"metadata":{"model":"nested"},"tools":[{"model":"x"}],"model":"top"}')).toEqual({
      model: 'top',
    });
    expect(read('{"metadata":{"model":"nested"}}')).toEqual({});
  });

  it('sees where strings end, whatever backslashes and quotes they hold', () => {
    expect(read('{"a":"\\\\","model":"m"}')).toEqual({ model: 'm' });
    expect(read('{"a":"\\"model\\":\\"evil\\"","model":"m"}')).toEqual({ model: 'm' });
    expect(read('{"a":"\\\\\\"}","model":"m"}')).toEqual({ model: 'm' });
    expect(read('{"a":"}]","model":"m"}')).toEqual({ model: 'm' });
  });

  it('names what is wrong with a body that is not an object, and where', () => {
    const wrong: [string, RegExp][] = [
      ['', /expected a JSON object at byte 0/],
      ['[1,2]', /expected a JSON object/],
      ['"model"', /expected a JSON object/],
      ['{"model" "x"}', /expected ':' after "model" at byte 9/],
      ['{"model":"x",}', /expected a member name at byte 13/],
      ['{"model":"x" "stream":true}', /expected ',' or '}'/],
      ['{"messages":[}]}', /mismatched bracket/],
      ['{"messages":[[]}', /mismatched bracket/],
      ['{"model":"x"} trailing', /unexpected content after the object at byte 14/],
      ['{"model":"x', /unterminated string/],
      ['{"model":}', /expected a value/],
      ['{"max_tokens":12a}', /max_tokens: not valid JSON/],
    ];
    for (const [text, message] of wrong) expect(() => read(text), text).toThrow(message);
  });

  it('reads a wanted value from its bytes only where that gives what JSON.parse gives', () => {
    const values = [
      ...['0', '7', '64', '999999999999999', '1000000000000000', '12345678901234567890', '-5', '1.5', '1e3'],
      ...['1E3', '0.0', 'true', 'false', 'null', '"claude-haiku-4-5"', '""', '"é😀"', '"a\\tb"', '"\\u0041"'],
    ];
    for (const value of values) {
      const text = `{"max_tokens":${value}}`;
      expect(read(text), text).toEqual(JSON.parse(text));
    }
    // What JSON.parse refuses is refused, read from bytes or not: leading zeros, bare words, a control
    // character written into a string as it is (a tab here, in a value or in a member name).
    for (const value of ['007', '00', '1.', 'tru', 'truex', 'False', 'nul', '"a\tb"']) {
      expect(() => read(`{"max_tokens":${value}}`), value).toThrow(/max_tokens: not valid JSON/);
    }
    expect(() => read('{"model":"a\tb"}')).toThrow(/model: not valid JSON/);
    expect(() => read('{"mo\tdel":1}')).toThrow(/a member name: not valid JSON/);
  });

  it('allows JSON whitespace around everything', () => {
    expect(read(' \t\r\n{ "model" :\n"m" ,\t"stream" : true }\n')).toEqual({ model: 'm', stream: true });
    expect(read('{}')).toEqual({});
  });

  it('refuses a body that is not valid UTF-8: a lenient decoder reads an overlong "l" into "model"', () => {
    const overlong = Buffer.concat([
      Buffer.from('{"model":"claude-haiku-4-5","mode'),
      Buffer.from([0xc1, 0xac]),
      Buffer.from('":"claude-opus-4-1"}'),
    ]);
    expect(() => readTopLevelMembers(overlong, WANTED)).toThrow(/not valid UTF-8/);
  });

  it('refuses a member whose name folds to a wanted one, as parsers matching names loosely would read it', () => {
    expect(() => read('{"model":"claude-haiku-4-5","MODEL":"claude-opus-4-1"}')).toThrow(
      /"MODEL" is too like "model"/,
    );
    // A Kelvin sign, escaped or as it is, and a long s.
    expect(() => read('{"model":"m","max_to\\u212aens":64000}')).toThrow(/too like "max_tokens"/);
    expect(() => read('{"model":"m","max_to\u212aens":64000}')).toThrow(/too like "max_tokens"/);
    expect(() => read('{"model":"m","\u017ftream":true}')).toThrow(/too like "stream"/);
    // Other members are left alone, whatever their case.
    expect(read('{"model":"m","Metadata":{},"METADATA":{}}')).toEqual({ model: 'm' });
  });

  it('shows at most the start of a long member name in an error', () => {
    const name = 'k'.repeat(100_000);
    expect(() => read(`{"model":"a","${name}"}`)).toThrow(/expected ':' after "k{40}…" at byte/);
  });
});
