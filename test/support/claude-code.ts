// Runs the real Claude Code CLI (`@anthropic-ai/claude-code`) headless against a mock upstream.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './temp-dir.ts';

export const CLAUDE_BIN = join(REPO_ROOT, 'node_modules/.bin/claude');

export function claudeAvailable(): boolean {
  return existsSync(CLAUDE_BIN);
}

/** Claude Code's settings.json shape, loosely: tests pass whatever keys they need. */
export type ClaudeSettings = Record<string, unknown>;

export interface RunClaudeOptions {
  prompt: string;
  /** The project directory Claude Code works in. */
  cwd: string;
  /**
   * `ANTHROPIC_BASE_URL`: the mock's (or gateway's) URL, without `/v1`. Optional because settings
   * may supply it instead (`env.ANTHROPIC_BASE_URL` in settings wins over the process environment).
   */
  baseUrl?: string;
  /** `ANTHROPIC_API_KEY`, sent as `x-api-key`. Optional: an `apiKeyHelper` in settings may supply the key. */
  apiKey?: string;
  /** User settings, written to `$HOME/.claude/settings.json` in the fresh HOME. */
  settings?: ClaudeSettings;
  /**
   * Settings passed with `--settings FILE`: the "flag settings" source, above user and project
   * and below managed settings. The nearest stand-in for managed settings a test can supply:
   * Claude Code 2.1.330 reads those only from `/etc/claude-code/` (see docs/testing.md).
   */
  flagSettings?: ClaudeSettings;
  /** An existing HOME to run in (kept afterwards), e.g. one holding a `/login` sign-in; else a fresh one. */
  home?: string;
  /** Extra environment; wins over the defaults below. */
  env?: Record<string, string>;
  /** Adds `--dangerously-skip-permissions` and `IS_SANDBOX=1` (needed to run it as root). */
  skipPermissions?: boolean;
  outputFormat?: 'json' | 'stream-json';
  extraArgs?: string[];
  timeoutMs: number;
}

/** The object `--output-format json` prints; only the fields tests read are named. */
export interface ClaudeJsonResult {
  type: 'result';
  subtype: string;
  is_error: boolean;
  result?: string;
  session_id: string;
  num_turns: number;
  duration_ms: number;
  total_cost_usd?: number;
  usage?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ClaudeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** The final result object (the last `result` line for stream-json), if stdout held one. */
  result: ClaudeJsonResult | undefined;
  /** Every JSON line of stdout for stream-json; the single object for json. */
  events: Record<string, unknown>[];
  home: string;
}

export async function runClaude(options: RunClaudeOptions): Promise<ClaudeRun> {
  if (options.home) return runInHome(options.home, options);
  const home = await mkdtemp(join(tmpdir(), 'llm-rules-claude-home-'));
  try {
    return await runInHome(home, options);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function runInHome(home: string, options: RunClaudeOptions): Promise<ClaudeRun> {
  await mkdir(join(home, '.claude'), { recursive: true });
  if (options.settings) await writeJson(join(home, '.claude/settings.json'), options.settings);
  const outputFormat = options.outputFormat ?? 'json';
  const args = ['-p', options.prompt, '--output-format', outputFormat];
  if (outputFormat === 'stream-json') args.push('--verbose');
  if (options.skipPermissions) args.push('--dangerously-skip-permissions');
  if (options.flagSettings) {
    const file = join(home, 'flag-settings.json');
    await writeJson(file, options.flagSettings);
    args.push('--settings', file);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TMPDIR: tmpdir(),
    ...(options.baseUrl === undefined ? {} : { ANTHROPIC_BASE_URL: options.baseUrl }),
    ...(options.apiKey === undefined ? {} : { ANTHROPIC_API_KEY: options.apiKey }),
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    ...(options.skipPermissions ? { IS_SANDBOX: '1' } : {}),
  };
  Object.assign(env, options.env);
  const started = performance.now();
  const run = await spawnBounded(CLAUDE_BIN, [...args, ...(options.extraArgs ?? [])], {
    cwd: options.cwd,
    env,
    timeoutMs: options.timeoutMs,
  });
  const events = parseJsonLines(run.stdout);
  const result = [...events].reverse().find((event) => event.type === 'result') as
    | ClaudeJsonResult
    | undefined;
  return { ...run, durationMs: performance.now() - started, result, events, home };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

function parseJsonLines(stdout: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'object' && parsed !== null) events.push(parsed as Record<string, unknown>);
    } catch {
      // Not a JSON line (a warning on stdout); the raw stdout is returned for diagnosis.
    }
  }
  return events;
}

/** Spawns in its own process group so a timeout kills Claude Code and every tool it started. */
function spawnBounded(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<Omit<ClaudeRun, 'durationMs' | 'result' | 'events' | 'home'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Tools Claude Code left running in the background must not outlive the test.
      killGroup();
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}
