import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BodyEvents, dispatchUpstream } from './dispatched-answer.ts';
import { UpstreamCancel } from './upstream-cancel.ts';

let server: Server;
let pool: Pool;
const requests: string[] = [];
let hugeWritten = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.url!);
    if (request.url === '/slow') return; // never answers
    if (request.url === '/hints') response.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
    if (request.url === '/huge') {
      // 32 MB in 64 KB writes, as fast as the socket takes them: far more than loopback buffers hold.
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const part = Buffer.alloc(64 * 1024, 120);
      let left = 512;
      const pump = () => {
        while (left > 0) {
          left--;
          hugeWritten += part.length;
          if (!response.write(part)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
      return;
    }
    if (request.url === '/big') {
      response.writeHead(503, { 'content-type': 'text/plain' });
      response.end('x'.repeat(1_000_000));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'x-answer': '42' });
    for (const part of ['one ', 'two ', 'three']) response.write(part);
    response.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
});

afterAll(async () => {
  await pool.close();
  server.closeAllConnections();
  server.close();
});

/** Reads a started body to its end or error. */
function read(body: { start(events: BodyEvents): void }): Promise<{ text: string; error?: Error }> {
  return new Promise((resolve) => {
    let text = '';
    body.start({
      data: (chunk) => {
        text += chunk.toString();
      },
      end: () => resolve({ text }),
      error: (error) => resolve({ text, error }),
    });
  });
}

describe('dispatchUpstream', () => {
  it('answers with the head, holds the body until it is started, then relays all of it', async () => {
    const answer = await dispatchUpstream(pool, { path: '/ok', method: 'GET' }, new UpstreamCancel());
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['x-answer']).toBe('42');
    await new Promise((r) => setTimeout(r, 20)); // the whole body has arrived by now, held back
    expect(await read(answer.body)).toEqual({ text: 'one two three' });
  });

  it('stops reading a large body that is not started, then relays all of it once it is', async () => {
    const answer = await dispatchUpstream(pool, { path: '/huge', method: 'GET' }, new UpstreamCancel());
    await new Promise((r) => setTimeout(r, 200));
    // Paused after EARLY_LIMIT held bytes: the server is stopped by backpressure well short of 32 MB.
    expect(hugeWritten).toBeLessThan(16 * 1024 * 1024);
    const { text, error } = await read(answer.body);
    expect(error).toBeUndefined();
    expect(text.length).toBe(32 * 1024 * 1024);
  });

  it('tells an error the replay of held chunks causes once, after the replay, with no chunk after it', async () => {
    const answer = await dispatchUpstream(pool, { path: '/huge', method: 'GET' }, new UpstreamCancel());
    await new Promise((r) => setTimeout(r, 100)); // more than one chunk held by now
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      answer.body.start({
        data: () => {
          seen.push('data');
          answer.body.destroy(); // the relay giving up on the first chunk
        },
        end: () => {
          seen.push('end');
          resolve();
        },
        error: () => {
          seen.push('error');
          setTimeout(resolve, 50);
        },
      });
    });
    expect(seen).toEqual(['data', 'error']);
  });

  it('waits past an informational answer (103 Early Hints) for the real one', async () => {
    const answer = await dispatchUpstream(pool, { path: '/hints', method: 'GET' }, new UpstreamCancel());
    expect(answer.statusCode).toBe(200);
    expect(await read(answer.body)).toEqual({ text: 'one two three' });
  });

  it('refuses at once when already cancelled, and aborts a request still waiting for its answer', async () => {
    const cancelled = new UpstreamCancel();
    cancelled.abort();
    await expect(dispatchUpstream(pool, { path: '/never', method: 'GET' }, cancelled)).rejects.toThrow();
    expect(requests).not.toContain('/never');
    const cancel = new UpstreamCancel();
    const waiting = dispatchUpstream(pool, { path: '/slow', method: 'GET' }, cancel);
    setTimeout(() => cancel.abort(), 20);
    await expect(waiting).rejects.toThrow(/client closed/);
    // The pool's one connection is usable again.
    const after = await dispatchUpstream(pool, { path: '/ok', method: 'GET' }, new UpstreamCancel());
    expect((await read(after.body)).text).toBe('one two three');
  });

  it('discards a small answer by reading it and a large one by abandoning it, and the pool carries on', async () => {
    const small = await dispatchUpstream(pool, { path: '/ok', method: 'GET' }, new UpstreamCancel());
    await small.body.discard();
    const large = await dispatchUpstream(pool, { path: '/big', method: 'GET' }, new UpstreamCancel());
    expect(large.statusCode).toBe(503);
    await large.body.discard();
    const next = await dispatchUpstream(pool, { path: '/ok', method: 'GET' }, new UpstreamCancel());
    expect((await read(next.body)).text).toBe('one two three');
  });

  it('tells the relay of a cancellation mid-body as an error', async () => {
    const cancel = new UpstreamCancel();
    const answer = await dispatchUpstream(pool, { path: '/big', method: 'GET' }, cancel);
    const reading = new Promise<{ text: string; error?: Error }>((resolve) => {
      let text = '';
      answer.body.start({
        data: (chunk) => {
          text += chunk.toString();
          cancel.abort();
        },
        end: () => resolve({ text }),
        error: (error) => resolve({ text, error }),
      });
    });
    const { text, error } = await reading;
    expect(error?.message).toMatch(/client closed/);
    expect(text.length).toBeLessThan(1_000_000);
  });
});
