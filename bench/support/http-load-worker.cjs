// A lean HTTP/1.1 load generator for a worker thread, in the manner of wrk and wrk2: each of
// `concurrency` keep-alive sockets sends a pre-built request, reads its answer (Content-Length
// framing), then sends the next. Node's http client costs several times more CPU per request than
// the server route under test, and on 2 cores that cost and its pauses would show up as server latency.
//
// Two modes. Closed loop (no `rate`): every socket sends again as soon as it has its answer, which
// finds the most the server can do. Constant rate (`rate` requests/s, like wrk2): request i is due at
// start + i / rate; a request that finds every socket still waiting on the server is measured from when
// it was due, not from when a socket freed up, so a server that falls behind is charged for the wait
// (no coordinated omission).
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');

const { host, port, method, path, headers, bodies, warmUp, total, concurrency, rate } = workerData;
const HEADER_END = Buffer.from('\r\n\r\n');

function requestBytes(index) {
  const body = bodies ? Buffer.from(bodies[index]) : undefined;
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (body) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head), body]) : Buffer.from(head);
}

/** Splits one complete response off the front of `buffer`, or returns undefined if it has not all arrived. */
function takeResponse(buffer) {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const head = buffer.toString('latin1', 0, headerEnd);
  const status = head.slice(9, 12);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length) {
    const end = headerEnd + 4 + Number(length[1]);
    if (buffer.length < end) return undefined;
    return { answer: `${status} ${buffer.toString('utf8', headerEnd + 4, end)}`, rest: buffer.subarray(end) };
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(head))
    throw new Error(`response without framing: ${head.split('\r\n')[0]}`);
  // Chunked (a stream): size line, data, CRLF, … until the zero-size chunk and the blank line after it.
  const parts = [];
  let at = headerEnd + 4;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buffer.toString('latin1', at, lineEnd), 16);
    if (size === 0) {
      if (buffer.length < lineEnd + 4) return undefined;
      return {
        answer: `${status} ${Buffer.concat(parts).toString('utf8')}`,
        rest: buffer.subarray(lineEnd + 4),
      };
    }
    if (buffer.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** One keep-alive socket: takes the next request from `claim` until there is none left. */
function connection(claim, finish) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let current;
    const send = () => {
      socket.write(requestBytes(current.index));
    };
    const sendNext = () => {
      current = claim();
      if (current === undefined) {
        socket.end();
        resolve();
        return;
      }
      const wait = current.due - performance.now();
      if (wait <= 0) {
        // Late because this socket was waiting for the server: the wait is charged to the server.
        send();
        return;
      }
      // Early: the timer may fire up to a millisecond late, which is the generator's delay, not the
      // server's, so the clock starts when the request actually leaves.
      setTimeout(() => {
        current.due = performance.now();
        send();
      }, wait);
    };
    socket.on('connect', sendNext);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const response = takeResponse(buffer);
      if (!response) return;
      buffer = response.rest;
      finish(current.index, (performance.now() - current.due) * 1000, response.answer);
      sendNext();
    });
  });
}

async function phase(from, count, samples, answers) {
  let next = 0;
  const started = performance.now();
  const claim = () => {
    if (next >= count) return undefined;
    const i = next++;
    // Closed loop: due now. Constant rate: due on the schedule, however late a socket frees up.
    return { index: from + i, due: rate ? started + (i * 1000) / rate : performance.now() };
  };
  const finish = (index, micros, answer) => {
    answers[index] = answer;
    if (samples) samples[index - from] = micros;
  };
  await Promise.all(Array.from({ length: concurrency }, () => connection(claim, finish)));
}

(async () => {
  const answers = new Array(warmUp + total);
  await phase(0, warmUp, undefined, answers);
  const samples = new Float64Array(total);
  const started = performance.now();
  await phase(warmUp, total, samples, answers);
  const totalMs = performance.now() - started;
  parentPort.postMessage({ samples, totalMs, answers }, [samples.buffer]);
})();
