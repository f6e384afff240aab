import { describe, expect, it } from 'vitest';
import { completeEventsEnd } from './sse-event-boundary.ts';

const end = (text: string, from?: number) => completeEventsEnd(Buffer.from(text), from);

describe('completeEventsEnd', () => {
  it('ends after the last blank line, whatever the line endings', () => {
    expect(end('data: a\n\n')).toBe(9);
    expect(end('data: a\n\ndata: b')).toBe(9);
    expect(end('data: a\n\ndata: b\n')).toBe(9);
    expect(end('data: a\r\n\r\ndata: b')).toBe(11);
    expect(end('data: a\r\rdata: b')).toBe(9);
    expect(end('data: a\n\r\ndata: b')).toBe(10);
    expect(end('event: x\ndata: a\n\nevent: y\ndata: b\n\n')).toBe(36);
  });

  it('finds none in a partial event', () => {
    expect(end('')).toBe(0);
    expect(end('data: {"text":"yyy')).toBe(0);
    expect(end('event: x\ndata: a\n')).toBe(0);
    // A CR then LF is one line ending, not a blank line.
    expect(end('data: a\r\n')).toBe(0);
  });

  it('agrees with a scan from the start, from any point already known to hold no blank line', () => {
    const stream = 'event: a\ndata: 1\n\nevent: b\r\ndata: 2\r\n\r\ndata: 3\rdata: 4\r\r\n: c\n\ndata: 5';
    for (let length = 0; length <= stream.length; length++) {
      const bytes = Buffer.from(stream.slice(0, length));
      const full = completeEventsEnd(bytes);
      for (let from = 0; from <= length; from++) {
        // `from` is valid when the bytes before it hold no complete event end.
        if (completeEventsEnd(bytes.subarray(0, from)) !== 0) continue;
        expect(completeEventsEnd(bytes, from), `${length}/${from}`).toBe(full);
      }
    }
  });
});
