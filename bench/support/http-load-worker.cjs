// A lean closed-loop HTTP/1.1 load generator for a worker thread, in the manner of wrk: each of
// `concurrency` keep-alive sockets sends a pre-built request, reads its answer (Content-Length
// framing), then sends the next. Node's http client costs several times more CPU per request than
// the server route under test, and on 2 cores that cost and its pauses would show up as server latency.
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');

const { host, port, method, path, headers, bodies, warmUp, total, concurrency } = workerData;
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
  const match = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (!match) throw new Error(`response without Content-Length: ${head.split('\r\n')[0]}`);
  const end = headerEnd + 4 + Number(match[1]);
  if (buffer.length < end) return undefined;
  const status = head.slice(9, 12);
  return { answer: `${status} ${buffer.toString('utf8', headerEnd + 4, end)}`, rest: buffer.subarray(end) };
}

function connection(claim, finish) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let current;
    let sentAt = 0;
    const sendNext = () => {
      current = claim();
      if (current === undefined) {
        socket.end();
        resolve();
        return;
      }
      sentAt = performance.now();
      socket.write(requestBytes(current));
    };
    socket.on('connect', sendNext);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const response = takeResponse(buffer);
      if (!response) return;
      buffer = response.rest;
      finish(current, (performance.now() - sentAt) * 1000, response.answer);
      sendNext();
    });
  });
}

async function phase(from, count, samples, answers) {
  let next = 0;
  const claim = () => (next < count ? from + next++ : undefined);
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
