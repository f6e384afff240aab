// `llm-rules break-glass hash`: reads the break-glass password from standard input (never an argument:
// arguments end up in shell history and process lists) and prints the scrypt hash to give the server
// as LLM_RULES_BREAK_GLASS_HASH. The server never sees the password until someone signs in with it.
import { hashBreakGlassPassword } from '../features/console-auth/break-glass.ts';
import type { CliIo } from './cli-io.ts';
import { UsageError } from './parse-flags.ts';

const USAGE = `llm-rules break-glass hash   (the password on standard input, e.g. from a password manager)
  Prints the value of LLM_RULES_BREAK_GLASS_HASH, which turns the break-glass admin on.`;

export async function breakGlassCommand(args: string[], io: CliIo): Promise<number> {
  if (args[0] !== 'hash' || args.length > 1) throw new UsageError(USAGE);
  // One trailing newline is the shell's, not the password's.
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  io.stdout(await hashBreakGlassPassword(password));
  return 0;
}
