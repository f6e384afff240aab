// `llm-rules serve`: runs the server until SIGTERM / SIGINT, then shuts down gracefully.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../core/errors/app-error.ts';
import { applyParallelScavenge } from '../http/parallel-scavenge.ts';
import { resolveServerOptions } from '../http/server-options.ts';
import { startServer } from '../server.ts';
import { VERSION } from '../version.ts';
import type { CliIo } from './cli-io.ts';
import { optionsFileFromEnv, serverOptionsFromEnv } from './environment.ts';
import { parseFlags, stringFlag } from './parse-flags.ts';

const USAGE = `llm-rules serve [--config DIR] [--data DIR] [--host H] [--port N] [--tls-cert FILE --tls-key FILE]
                 [--options FILE] [--log-level LEVEL] [--apply always|if-none|never] [--upstream-url URL]`;

/**
 * The bundled example enterprise, used when no config is named. Two levels up from src/cli/ in the
 * sources and from build/<fingerprint>/ in the compiled runtime (bin/compiled-runtime.js) alike.
 */
export const EXAMPLE_CONFIG_DIR = fileURLToPath(new URL('../../examples/acme/.claude', import.meta.url));

const FLAGS = {
  config: { type: 'string' },
  data: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  options: { type: 'string' },
  'log-level': { type: 'string' },
  apply: { type: 'string' },
  'upstream-url': { type: 'string' },
} as const;

export interface ServeControl {
  /** Resolves when the server should stop (defaults to SIGTERM / SIGINT). */
  stopSignal?: Promise<string>;
  onListening?: (url: string) => void;
}

export async function serveCommand(args: string[], io: CliIo, control: ServeControl = {}): Promise<number> {
  const { values } = parseFlags(args, FLAGS, USAGE);
  const flag = (name: keyof typeof FLAGS) => stringFlag(values, name);
  const optionsFile = flag('options') ?? optionsFileFromEnv(io.env);
  const fromEnv = serverOptionsFromEnv(io.env);
  const fromFlags = {
    configDir: flag('config'),
    dataDir: flag('data'),
    host: flag('host'),
    port: flag('port'),
    tlsCert: flag('tls-cert'),
    tlsKey: flag('tls-key'),
    logLevel: flag('log-level'),
    applyConfigOnStart: flag('apply'),
    upstreamUrl: flag('upstream-url'),
  };
  const fileValues = optionsFile ? readOptionsFile(optionsFile) : {};
  const configNamed = Boolean(fromFlags.configDir ?? fromEnv.configDir ?? fileValues.configDir);
  const options = resolveServerOptions([
    // An explicitly named config is applied at every start (a no-op when unchanged); the bundled
    // example only seeds an empty store, so `llm-rules apply` survives a restart of `npm start`.
    {
      name: 'defaults',
      values: { configDir: EXAMPLE_CONFIG_DIR, applyConfigOnStart: configNamed ? 'always' : 'if-none' },
    },
    { name: optionsFile ?? 'options file', values: fileValues },
    { name: 'environment', values: fromEnv },
    { name: 'flags', values: fromFlags },
  ]);

  // A setting of the whole process, so the command that owns the process makes it, not startServer.
  const parallelScavenge = applyParallelScavenge(options.parallelScavenge);
  const server = await startServer(options, { env: io.env });
  server.logger.info(
    { parallelScavenge, setting: options.parallelScavenge, cpus: availableParallelism() },
    `V8 scavenges ${parallelScavenge ? 'with helper threads' : 'on the main thread alone'}`,
  );
  const loaded = server.bundle.current();
  const storageText = options.databaseUrl ? 'postgresql' : `sqlite in ${options.dataDir}/`;
  io.stderr(
    [
      `LLM-RULES ${VERSION} listening on ${server.url}  (storage: ${storageText}; bundle: ${loaded ? loaded.revision.slice(0, 12) : 'none'})`,
      `  config:  ${options.configDir}`,
      '  next:    npx llm-rules keys create --user alice@acme.test --expires 90d',
      `           curl ${server.url}/readyz`,
    ].join('\n'),
  );
  control.onListening?.(server.url);

  const signal = await (control.stopSignal ?? waitForSignal());
  server.logger.info({ signal }, 'shutting down: finishing in-flight requests');
  const timer = setTimeout(() => {
    server.logger.error({ timeoutMs: options.shutdownTimeoutMs }, 'shutdown timed out; exiting');
    process.exit(1);
  }, options.shutdownTimeoutMs);
  timer.unref();
  await server.close();
  clearTimeout(timer);
  return 0;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => resolve(signal);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

function readOptionsFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`Cannot read the options file ${file}: ${(error as Error).message}`, {
      field: 'options',
    });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ValidationError(`${file}: ${(error as Error).message}`, { field: 'options' });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValidationError(`${file}: expected a mapping of option names to values.`, { field: 'options' });
  }
  return parsed as Record<string, unknown>;
}
