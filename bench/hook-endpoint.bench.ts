// The real hook endpoint over loopback HTTP: `POST /v1/hooks/claude-code` on SQLite with the audit log, at
// concurrency 32, beside a baseline of `GET /healthz` from the same server and client (no auth, policy or audit).
import { performance } from 'node:perf_hooks';
import { HOOK_PATH } from '../src/features/hooks/hook-path.ts';
import type { startServer } from '../src/server.ts';
import { benchTempDir } from './bench-temp-dir.ts';
import { report } from './measure.ts';
import { startBenchServer } from './support/bench-server.ts';
import { type LoadPlan, type LoadResult, loadWith } from './support/http-load.ts';

const CONCURRENCY = 32;
const WARM_UP = 2_000;
const REQUESTS = 20_000;

const load = (plan: LoadPlan): Promise<LoadResult> =>
  loadWith(plan, { warmUp: WARM_UP, total: REQUESTS, concurrency: CONCURRENCY });
const SESSIONS = 64;
const TARGET_DECISIONS_PER_SEC = 5_000;
const TARGET_P99_US = 5_000;
const CWD = '/home/dev/acme-app';

interface HookEventCase {
  label: string;
  tool_name: string;
  tool_input: Record<string, string>;
  expected: 'allow' | 'deny';
}

/** A realistic mix of PreToolUse events: what a developer's Claude Code sends most. */
const EVENTS: HookEventCase[] = [
  { label: 'Read src', tool_name: 'Read', tool_input: { file_path: `${CWD}/src/x.ts` }, expected: 'allow' },
  { label: 'Read .env', tool_name: 'Read', tool_input: { file_path: `${CWD}/.env` }, expected: 'deny' },
  {
    label: 'Bash npm run test',
    tool_name: 'Bash',
    tool_input: { command: 'npm run test' },
    expected: 'allow',
  },
  {
    label: 'Bash cat .env && ls',
    tool_name: 'Bash',
    tool_input: { command: 'cat .env && ls' },
    expected: 'deny',
  },
  {
    label: 'Edit src',
    tool_name: 'Edit',
    tool_input: { file_path: `${CWD}/src/app/module.ts`, old_string: 'a', new_string: 'b' },
    expected: 'allow',
  },
];

/** The `permissionDecision` of a `STATUS BODY` answer, when it is a 200 carrying one. */
function permissionDecision(answer: string): string | undefined {
  if (!answer.startsWith('200 ')) return undefined;
  const parsed: unknown = JSON.parse(answer.slice(4));
  if (typeof parsed !== 'object' || parsed === null || !('hookSpecificOutput' in parsed)) return undefined;
  const output: unknown = parsed.hookSpecificOutput;
  if (typeof output !== 'object' || output === null || !('permissionDecision' in output)) return undefined;
  return typeof output.permissionDecision === 'string' ? output.permissionDecision : undefined;
}

/** A PreToolUse event as Claude Code sends it, from one of a few dozen sessions. */
function preToolUse(i: number): string {
  const event = EVENTS[i % EVENTS.length]!;
  const session = `bench-session-${i % SESSIONS}`;
  return JSON.stringify({
    session_id: session,
    transcript_path: `/home/dev/.claude/projects/acme-app/${session}.jsonl`,
    cwd: CWD,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: event.tool_name,
    tool_input: event.tool_input,
    tool_use_id: `toolu_bench_${i}`,
  });
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export async function run(): Promise<void> {
  const dir = await benchTempDir();
  const { server, key: plaintext } = await startBenchServer(dir.path);
  try {
    const baseline = await load({
      name: 'baseline: GET /healthz (no auth, policy, audit)',
      url: server.url,
      method: 'GET',
      path: '/healthz',
      headers: {},
      bodies: null,
    });
    const unhealthy = baseline.answers.filter((answer) => !answer.startsWith('200 ')).length;
    if (unhealthy > 0) throw new Error(`GET /healthz failed ${unhealthy} times`);

    const hookPlan = {
      url: server.url,
      method: 'POST' as const,
      path: HOOK_PATH,
      headers: { authorization: `Bearer ${plaintext}`, 'content-type': 'application/json' },
      bodies: Array.from({ length: WARM_UP + REQUESTS }, (_, i) => preToolUse(i)),
    };
    // The most the server can do: a closed loop, every connection sending again at once.
    const saturated = await auditedPhase(server, () =>
      load({ ...hookPlan, name: 'POST /v1/hooks/claude-code, closed loop' }),
    );
    // The latency at the target throughput, charged from when each request was due (as wrk2 does).
    const atTarget = await auditedPhase(server, () =>
      load({
        ...hookPlan,
        name: `POST /v1/hooks/claude-code, ${TARGET_DECISIONS_PER_SEC}/s`,
        rate: TARGET_DECISIONS_PER_SEC,
      }),
    );

    report(
      `Hook endpoint over loopback HTTP, SQLite with audit, ${CONCURRENCY} connections (client in a worker thread)`,
      [baseline.stats, saturated.result.stats, atTarget.result.stats],
      `closed loop: deciding + auditing costs ${((saturated.result.stats.p50Us - baseline.stats.p50Us) / 1000).toFixed(2)} ms at p50 ` +
        `over /healthz, ${(baseline.stats.opsPerSec / saturated.result.stats.opsPerSec).toFixed(1)}× fewer requests/s; ` +
        `at ${TARGET_DECISIONS_PER_SEC}/s latency is counted from each request's scheduled time.`,
    );
    console.log(
      `CPU in the closed loop: ${saturated.cpu}; at ${TARGET_DECISIONS_PER_SEC}/s: ${atTarget.cpu}.`,
    );
    const throughput = saturated.result.stats.opsPerSec;
    const p99 = atTarget.result.stats.p99Us;
    console.log(
      `${verdict(throughput >= TARGET_DECISIONS_PER_SEC)} throughput: ${throughput} decisions/s in the closed loop (target ≥ ${TARGET_DECISIONS_PER_SEC}/s on 2 cores)`,
    );
    console.log(
      `${verdict(p99 <= TARGET_P99_US)} latency: p99 ${(p99 / 1000).toFixed(2)} ms at ${TARGET_DECISIONS_PER_SEC} decisions/s (target ≤ 5 ms); ` +
        `saturated, p99 is ${(saturated.result.stats.p99Us / 1000).toFixed(2)} ms`,
    );
    for (const phase of [saturated, atTarget]) {
      const { sent, decisions, records, wrong } = phase;
      console.log(
        `${verdict(decisions === sent && records === sent)} audit (${phase.result.stats.name}): ${decisions} decision records ` +
          `(${records} records in all) for ${sent} decisions sent, warm-up included`,
      );
      console.log(
        `${verdict(wrong.length === 0)} answers (${phase.result.stats.name}): ${sent - wrong.length} of ${sent} carried their expected decision`,
      );
      for (const line of wrong.slice(0, 5)) console.log(`  wrong answer: ${line}`);
    }
  } finally {
    await server.close();
    await dir.remove();
  }
}

interface AuditedPhase {
  result: LoadResult;
  sent: number;
  /** Decision records, and records of any kind, appended during the phase. */
  decisions: number;
  records: number;
  /** Answers that did not carry the decision their event should get. */
  wrong: string[];
  /** The process's CPU (server, audit writer and load generator threads) and the server loop's busy share. */
  cpu: string;
}

/** Runs one load phase and checks that every answered decision is durable and was the right one. */
async function auditedPhase(
  server: Awaited<ReturnType<typeof startServer>>,
  run: () => Promise<LoadResult>,
): Promise<AuditedPhase> {
  const headBefore = (await server.storage.audit.head('acme'))?.seq ?? 0;
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const startedAt = performance.now();
  const result = await run();
  const cpuUsed = process.cpuUsage(cpuBefore);
  const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
  const loopBusy = performance.eventLoopUtilization(loopBefore).utilization;
  const wallMs = performance.now() - startedAt;
  const sent = result.answers.length;
  // Every request was answered, so every decision it carried must already be durable.
  const headAfter = (await server.storage.audit.head('acme'))?.seq ?? 0;
  const decisions = (await server.storage.audit.list('acme', { afterSeq: headBefore, event: 'decision' }))
    .length;
  const wrong = result.answers.flatMap((answer, i) => {
    const event = EVENTS[i % EVENTS.length]!;
    return permissionDecision(answer) === event.expected ? [] : [`${event.label}: ${answer.slice(0, 200)}`];
  });
  const cpu =
    `${(cpuMs / wallMs).toFixed(2)} cores for the process (client thread included), ` +
    `${Math.round((cpuMs * 1000) / sent)} µs per decision, server event loop ${Math.round(loopBusy * 100)}% busy`;
  return { result, sent, decisions, records: headAfter - headBefore, wrong, cpu };
}
