// The gateway's cost a request counted in instructions rather than timed: our server (`llm-rules serve`,
// the same data as gateway.bench.ts) and the bare undici passthrough, each run under valgrind's callgrind,
// which counts every instruction each thread executes. On this shared two-core VM a timed run moves by
// ±10 % from one minute to the next, more than most changes to the hot path; the counts repeat to about
// 1 %, so they tell whether a change made the main thread (the event loop, which bounds a Node server's
// throughput) cheaper. They leave out what the kernel does for a request (the same for both servers) and
// weigh memory-bound work (collection, allocation) lighter than time does: a guide, not the verdict,
// which stays gateway.bench.ts's.
//
// Each server is warmed first (V8 optimises its hot path as it runs), then counting is switched on for
// the measured requests only (`callgrind_control -i on`), then off with a dump. Under valgrind a request
// takes about a hundred times as long, so the runs are short: `GATEWAY_INSTRUCTIONS_WARM_UP` (3,000) and
// `GATEWAY_INSTRUCTIONS_REQUESTS` (2,000), at concurrency 16.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../test/support/temp-dir.ts';
import { benchTempDir } from './bench-temp-dir.ts';
import { benchGatewayData, freePort, serveArgs } from './support/gateway-bench-data.ts';
import { loadWith } from './support/http-load.ts';
import { startUpstream } from './support/mock-upstream.ts';

const PASSTHROUGH = fileURLToPath(new URL('./support/undici-passthrough.cjs', import.meta.url));
const WARM_UP = Number(process.env.GATEWAY_INSTRUCTIONS_WARM_UP ?? 3_000);
const REQUESTS = Number(process.env.GATEWAY_INSTRUCTIONS_REQUESTS ?? 2_000);
const CONCURRENCY = 16;
/** Issue 4's throughput target: ours at 80 % of the passthrough's. */
const TARGET_SHARE = 0.8;

interface Counted {
  /** Instructions a request on the main thread (thread 1). */
  main: number;
  /** On every thread: the writer thread and V8's helper threads too. */
  all: number;
}

function hasValgrind(): boolean {
  return (
    spawnSync('valgrind', ['--version']).status === 0 &&
    spawnSync('callgrind_control', ['-h']).error === undefined
  );
}

/** Runs `args` (a node command line) under callgrind, warms it, counts `REQUESTS` requests. */
async function count(
  args: string[],
  port: number,
  outDir: string,
  name: string,
  headers: Record<string, string>,
  stream: boolean,
): Promise<Counted> {
  const out = join(outDir, `callgrind.${name}`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      // V8 writes machine code as it runs: valgrind must notice code that changes outside the stack too.
      '--smc-check=all-non-file',
      '--separate-threads=yes',
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...args,
    ],
    { env: { ...process.env, ANTHROPIC_API_KEY: 'k', REDIS_URL: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  try {
    for (let i = 0; ; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' });
        break;
      } catch {
        if (child.exitCode !== null || i > 600)
          throw new Error(`${name} did not start: ${stderr.slice(-800)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const body = JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      stream,
      messages: [{ role: 'user', content: 'What is the answer?' }],
    });
    const run = async (total: number) => {
      const plan = {
        name,
        url: `http://127.0.0.1:${port}`,
        method: 'POST' as const,
        path: '/v1/messages',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
        bodies: Array<string>(total).fill(body),
      };
      const { answers } = await loadWith(plan, { warmUp: 0, total, concurrency: CONCURRENCY });
      const failed = answers.find((a) => !a.startsWith('200'));
      if (failed) throw new Error(`${name} answered ${failed.slice(0, 200)}`);
    };
    await run(WARM_UP);
    await promisify(execFile)('callgrind_control', ['-i', 'on', String(child.pid)]);
    await run(REQUESTS);
    await promisify(execFile)('callgrind_control', ['-d', String(child.pid)]);
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  // One file a thread (`…-01` is the main thread) for the dump; the totals are in each file's summary.
  const files = (await readdir(outDir)).filter((f) => f.startsWith(`callgrind.${name}.`));
  let main = 0;
  let all = 0;
  for (const file of files) {
    const text = await readFile(join(outDir, file), 'utf8');
    const total = Number(/^summary: (\d+)/m.exec(text)?.[1] ?? /^totals: (\d+)/m.exec(text)?.[1] ?? 0);
    all += total;
    if (/^thread: 1$/m.test(text)) main += total;
  }
  if (main === 0) throw new Error(`${name}: callgrind wrote no count for the main thread`);
  return { main: main / REQUESTS, all: all / REQUESTS };
}

const thousands = (n: number) => `${(n / 1000).toFixed(0)}k`;

export async function run(): Promise<void> {
  console.log('\n## Gateway, instructions a request (valgrind callgrind), concurrency 16');
  if (!hasValgrind()) {
    console.log('NOT MEASURED: valgrind is not installed here (apt-get install -y valgrind)');
    return;
  }
  const dir = await benchTempDir();
  const upstream = await startUpstream();
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  try {
    const cli = process.env.GATEWAY_BENCH_CLI ?? join(REPO_ROOT, 'bin/llm-rules.js');
    const { data, key } = await benchGatewayData(dir.path, cli);
    console.log(
      'case'.padEnd(40),
      'main thread'.padStart(12),
      'all threads'.padStart(12),
      'ours / passthrough (main)'.padStart(27),
    );
    for (const stream of [false, true]) {
      const kind = stream ? 'stream' : 'json';
      const passthroughPort = await freePort();
      const passthrough = await count(
        [PASSTHROUGH, upstreamUrl, String(passthroughPort)],
        passthroughPort,
        dir.path,
        `passthrough-${kind}`,
        { 'x-api-key': 'k' },
        stream,
      );
      const oursPort = await freePort();
      const ours = await count(
        serveArgs(cli, data, oursPort, upstreamUrl),
        oursPort,
        dir.path,
        `ours-${kind}`,
        { 'x-api-key': key },
        stream,
      );
      console.log(
        `undici passthrough, ${kind}`.padEnd(40),
        thousands(passthrough.main).padStart(12),
        thousands(passthrough.all).padStart(12),
      );
      console.log(
        `llm-rules gateway, ${kind}`.padEnd(40),
        thousands(ours.main).padStart(12),
        thousands(ours.all).padStart(12),
        `${(ours.main / passthrough.main).toFixed(2)}×`.padStart(27),
      );
      console.log(
        `INFO ${kind}: at ${TARGET_SHARE * 100} % of the passthrough's throughput, were the main thread's instructions all that counted, ours could use ${thousands(passthrough.main / TARGET_SHARE)} a request; it uses ${thousands(ours.main)} (${((ours.main / (passthrough.main / TARGET_SHARE) - 1) * 100).toFixed(0)} % over)`,
      );
    }
  } finally {
    upstream.close();
    await dir.remove();
  }
}
