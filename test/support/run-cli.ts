// Runs the real `llm-rules` command in a child process, as a user would.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './temp-dir.ts';

export const CLI = join(REPO_ROOT, 'bin/llm-rules.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...extra,
  };
  return env;
}

export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? cleanEnv(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `llm-rules serve` and resolves once it prints the URL it listens on. */
export function startServe(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ url: string; child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? cleanEnv(),
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('close', done));
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (https?:\/\/\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, child, output: () => output, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => reject(new Error(`serve exited with ${code} before listening:\n${output}`)));
  });
}
