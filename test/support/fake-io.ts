// An in-memory CliIo for running commands in-process: captures output, supplies env and stdin.
import type { CliIo } from '../../src/cli/cli-io.ts';

export type FakeIo = CliIo & { out: string[]; err: string[] };

export function fakeIo(options: { env?: Record<string, string>; cwd?: string; stdin?: string } = {}): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    readStdin: async () => options.stdin ?? '',
  };
}
