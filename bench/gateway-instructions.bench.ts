// What a gateway request costs counted rather than timed: instructions (valgrind's callgrind counts every
// instruction each thread executes) and bytes allocated (V8's GC profiler in the server), for our server
// (`llm-rules serve`, the same data as gateway.bench.ts) and the bare undici passthrough. On this shared
// two-core VM a timed run moves by ±10 % from one minute to the next, more than most changes to the hot
// path; these counts repeat to about 1 %, so they tell whether a change made a request cheaper. Instructions
// leave out what the kernel does (the same for both servers) and weigh memory-bound work lightly; the bytes
// allocated are that work's measure (V8 collects its young generation per so many bytes). A guide, not the
// verdict, which stays gateway.bench.ts's.
//
// Each server is warmed first (V8 optimises its hot path as it runs), then only the measured requests are
// counted. Under valgrind a request takes about a hundred times as long, so those runs are short:
// `GATEWAY_INSTRUCTIONS_WARM_UP` (3,000) and `GATEWAY_INSTRUCTIONS_REQUESTS` (2,000); allocation is counted
// over 20,000 requests after 20,000 (`GATEWAY_ALLOCATION_REQUESTS`). All at concurrency 16.

import { execFile, spawnSync } from 'node:child_process';
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
import { startServerProcess } from './support/server-process.ts';

const PASSTHROUGH = fileURLToPath(new URL('./support/undici-passthrough.cjs', import.meta.url));
const ALLOCATION_METER = fileURLToPath(new URL('./support/allocation-meter.cjs', import.meta.url));
const INSTRUCTION_WARM_UP = Number(process.env.GATEWAY_INSTRUCTIONS_WARM_UP ?? 3_000);
const INSTRUCTION_REQUESTS = Number(process.env.GATEWAY_INSTRUCTIONS_REQUESTS ?? 2_000);
const ALLOCATION_REQUESTS = Number(process.env.GATEWAY_ALLOCATION_REQUESTS ?? 20_000);
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

/** How one measurement runs a server: its command, and what marks the start and the end of the count. */
interface Meter<T> {
  command(args: string[], name: string): { file: string; args: string[]; env?: Record<string, string> };
  start(pid: number): Promise<void>;
  stop(pid: number, name: string): Promise<T>;
}

/** Runs a server by `meter`, warms it with `warmUp` requests, then measures `requests` more. */
async function measured<T>(
  meter: Meter<T>,
  args: string[],
  port: number,
  name: string,
  headers: Record<string, string>,
  stream: boolean,
  warmUp: number,
  requests: number,
): Promise<T> {
  const { file, args: commandArgs, env } = meter.command(args, name);
  const child = await startServerProcess(file, commandArgs, port, {
    env: { ANTHROPIC_API_KEY: 'k', REDIS_URL: '', ...env },
    waitMs: 120_000,
  });
  try {
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
    await run(warmUp);
    await meter.start(child.pid!);
    await run(requests);
    return await meter.stop(child.pid!, name);
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** valgrind's callgrind, counting switched on for the measured requests only. */
function instructionMeter(outDir: string): Meter<Counted> {
  return {
    command: (args, name) => ({
      file: 'valgrind',
      args: [
        '--tool=callgrind',
        '--instr-atstart=no',
        // V8 writes machine code as it runs: valgrind must notice code that changes outside the stack too.
        '--smc-check=all-non-file',
        '--separate-threads=yes',
        `--callgrind-out-file=${join(outDir, `callgrind.${name}`)}`,
        process.execPath,
        ...args,
      ],
    }),
    start: async (pid) => {
      await promisify(execFile)('callgrind_control', ['-i', 'on', String(pid)]);
    },
    stop: async (pid, name) => {
      await promisify(execFile)('callgrind_control', ['-d', String(pid)]);
      // One file a thread for the dump (thread 1 is the main thread); each file's summary is its total.
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
      return { main: main / INSTRUCTION_REQUESTS, all: all / INSTRUCTION_REQUESTS };
    },
  };
}

/** V8's GC profiler in the server (support/allocation-meter.cjs), started and read by signals. */
function allocationMeter(outDir: string): Meter<number> {
  return {
    command: (args, name) => ({
      file: process.execPath,
      args: ['--require', ALLOCATION_METER, ...args],
      env: { ALLOCATION_METER_OUT: join(outDir, `allocation.${name}.json`) },
    }),
    start: async (pid) => {
      process.kill(pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 200));
    },
    stop: async (pid, name) => {
      const out = join(outDir, `allocation.${name}.json`);
      process.kill(pid, 'SIGUSR1');
      for (let i = 0; i < 100; i++) {
        try {
          const { bytesPerRequest } = JSON.parse(await readFile(out, 'utf8')) as { bytesPerRequest: number };
          return bytesPerRequest;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      throw new Error(`${name}: the allocation meter wrote nothing`);
    },
  };
}

const thousands = (n: number) => `${(n / 1000).toFixed(0)}k`;

export async function run(): Promise<void> {
  console.log('\n## Gateway, instructions and bytes allocated a request, concurrency 16');
  const valgrind = hasValgrind();
  if (!valgrind)
    console.log('NOT MEASURED instructions: valgrind is not installed here (apt-get install -y valgrind)');
  const dir = await benchTempDir();
  const upstream = await startUpstream();
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  try {
    const cli = process.env.GATEWAY_BENCH_CLI ?? join(REPO_ROOT, 'bin/llm-rules.js');
    const { data, key } = await benchGatewayData(dir.path, cli);
    console.log(
      'case'.padEnd(36),
      'instructions: main thread'.padStart(26),
      'all threads'.padStart(12),
      'bytes allocated'.padStart(16),
    );
    for (const stream of [false, true]) {
      const kind = stream ? 'stream' : 'json';
      const servers = [
        {
          label: `undici passthrough, ${kind}`,
          name: `passthrough-${kind}`,
          args: (port: number) => [PASSTHROUGH, upstreamUrl, String(port)],
          headers: { 'x-api-key': 'k' },
        },
        {
          label: `llm-rules gateway, ${kind}`,
          name: `ours-${kind}`,
          args: (port: number) => serveArgs(cli, data, port, upstreamUrl),
          headers: { 'x-api-key': key },
        },
      ];
      const results: { counted: Counted | undefined; allocated: number }[] = [];
      for (const server of servers) {
        const at = async <T>(meter: Meter<T>, warmUp: number, requests: number) => {
          const port = await freePort();
          return measured(
            meter,
            server.args(port),
            port,
            server.name,
            server.headers,
            stream,
            warmUp,
            requests,
          );
        };
        const counted = valgrind
          ? await at(instructionMeter(dir.path), INSTRUCTION_WARM_UP, INSTRUCTION_REQUESTS)
          : undefined;
        const allocated = await at(allocationMeter(dir.path), ALLOCATION_REQUESTS, ALLOCATION_REQUESTS);
        results.push({ counted, allocated });
        console.log(
          server.label.padEnd(36),
          (counted ? thousands(counted.main) : '—').padStart(26),
          (counted ? thousands(counted.all) : '—').padStart(12),
          `${(allocated / 1024).toFixed(1)} KB`.padStart(16),
        );
      }
      const [floor, ours] = results as [(typeof results)[0], (typeof results)[0]];
      if (floor.counted && ours.counted) {
        const allowed = floor.counted.main / TARGET_SHARE;
        console.log(
          `INFO ${kind}: main-thread instructions ${(ours.counted.main / floor.counted.main).toFixed(2)}× the passthrough's; at ${TARGET_SHARE * 100} % of its throughput, were they all that counted, ours could use ${thousands(allowed)} a request: ${((ours.counted.main / allowed - 1) * 100).toFixed(0)} % over`,
        );
      }
      console.log(
        `INFO ${kind}: bytes allocated a request ${(ours.allocated / floor.allocated).toFixed(2)}× the passthrough's`,
      );
    }
  } finally {
    upstream.close();
    await dir.remove();
  }
}
