// Starts a server in its own process for a bench and waits until its port answers.

import { type ChildProcess, spawn } from 'node:child_process';

export interface ServerProcessOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** How long to wait for the port (a server under valgrind takes far longer to start). */
  waitMs?: number;
}

/** `file args…`, started once `HEAD /` on 127.0.0.1:`port` answers; a server that exits first throws. */
export async function startServerProcess(
  file: string,
  args: string[],
  port: number,
  options: ServerProcessOptions = {},
): Promise<ChildProcess> {
  const child = spawn(file, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const waitMs = options.waitMs ?? 20_000;
  for (const started = Date.now(); Date.now() - started < waitMs; ) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' });
      return child;
    } catch {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited: ${stderr.slice(-800)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${args.join(' ')} did not start: ${stderr.slice(-800)}`);
}
