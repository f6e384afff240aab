// `llm-rules hook`: a Claude Code command hook for clients without HTTP hooks. It forwards the
// event on stdin to the server and prints the server's answer. When the server cannot answer it
// fails closed — exit 2 with the reason on stderr, which Claude Code treats as a block — unless
// `--fail-open` was given.
import { parseDuration } from '../core/credentials/duration.ts';
import type { CliIo } from './cli-io.ts';
import { hookClientFromEnv } from './environment.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';

const USAGE =
  'llm-rules hook [--server URL] [--token-env NAME] [--timeout 10s] [--fail-open]   (event JSON on stdin)';

import { HOOK_PATH } from '../features/hooks/hook-path.ts';

/** Claude Code's exit code for "blocking error": stderr is shown to the model and the action stops. */
const BLOCK_EXIT_CODE = 2;

const FLAGS = {
  server: { type: 'string' },
  'token-env': { type: 'string' },
  timeout: { type: 'string' },
  'fail-open': { type: 'boolean' },
} as const;

export async function hookCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, FLAGS, USAGE);
  const tokenVariable = stringFlag(values, 'token-env') ?? 'LLM_RULES_TOKEN';
  const fromEnv = hookClientFromEnv(io.env, tokenVariable);
  const server = stringFlag(values, 'server') ?? fromEnv.server;
  if (!server)
    throw new UsageError(`no server: pass --server URL or set LLM_RULES_SERVER\n\nusage: ${USAGE}`);
  const timeoutMs = parseDuration(stringFlag(values, 'timeout') ?? '10s', '--timeout');
  const failOpen = values['fail-open'] === true;

  const event = await io.readStdin();
  const failure = (why: string): number => {
    if (failOpen) {
      io.stderr(`llm-rules: ${why}; allowing because --fail-open is set`);
      return 0;
    }
    io.stderr(`Blocked by LLM-RULES: ${why}. The governance server must answer before tools run.`);
    return BLOCK_EXIT_CODE;
  };

  let response: Response;
  try {
    response = await fetch(new URL(HOOK_PATH, server), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(fromEnv.token ? { authorization: `Bearer ${fromEnv.token}` } : {}),
      },
      body: event,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return failure(`the server at ${server} could not be reached (${(error as Error).message})`);
  }
  const text = await response.text();
  if (!response.ok) {
    // The server's own error message (bad token, malformed event) is the most useful reason.
    let message = `HTTP ${response.status}`;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {}
    return failure(`the server refused the event: ${message}`);
  }
  io.stdout(text);
  return 0;
}
