// The server's options, validated once into one frozen object. Sources, highest first: command-line
// flags, environment variables (read in src/cli/environment.ts), an options file, defaults.
import { z } from 'zod';
import { ValidationError } from '../core/errors/app-error.ts';
import { DEFAULT_DATA_DIR } from '../storage/create-storage.ts';

export const DEFAULT_PORT = 8787;

/** A switch from a file (a boolean) or the environment (`true|false`, `on|off`, `1|0`, `yes|no`). */
const switchOption = z.union([
  z.boolean(),
  z
    .enum(['true', 'false', 'on', 'off', '1', '0', 'yes', 'no'], 'must be true or false')
    .transform((value) => ['true', 'on', '1', 'yes'].includes(value)),
]);

export const serverOptionsSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_PORT),
  /** SQLite data directory; ignored when databaseUrl is set. */
  dataDir: z.string().min(1).default(DEFAULT_DATA_DIR),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** The `.claude/` directory applied at start (see `applyConfigOnStart`). */
  configDir: z.string().min(1).optional(),
  /** `always`: apply configDir at start (a no-op when unchanged); `if-none`: only when no bundle is active. */
  applyConfigOnStart: z.enum(['always', 'if-none', 'never']).default('if-none'),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Replaces the first Anthropic upstream's base URL (`serve --upstream-url`): tests and local mocks. */
  upstreamUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Redis for counters shared by several server instances (gateway rate limits). */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  /**
   * The base URL developers reach this server at (behind a proxy, its public https URL): sign-in's
   * discovery document, verification page and the IdP's redirect use it. Default: each request's origin.
   */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * 32 bytes (64 hex digits or base64) that encrypt sign-in's secrets at rest; the same on every instance.
   * Default on SQLite: a key file made in the data directory.
   */
  masterKey: z.string().min(1).optional(),
  /** The break-glass admin's password hash (`llm-rules break-glass hash`); the account is off without it. */
  breakGlassHash: z.string().min(1).optional(),
  /** `GET /metrics` for Prometheus (docs/metrics.md). */
  metrics: switchOption.default(true),
  /** When set, a scrape of /metrics must send `Authorization: Bearer <metricsToken>`. */
  metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How long in-flight requests may take to finish after SIGTERM. */
  shutdownTimeoutMs: z.coerce.number().int().positive().default(10_000),
  /** V8's young-generation collection on helper threads; `auto`: only with more than two CPUs (parallel-scavenge.ts). */
  parallelScavenge: z.enum(['auto', 'on', 'off']).default('auto'),
});

export type ServerOptions = Readonly<z.output<typeof serverOptionsSchema>>;
export type ServerOptionsInput = z.input<typeof serverOptionsSchema>;

/** Merges sources (later wins), validates, freezes. Errors name the option and its source. */
export function resolveServerOptions(
  sources: { name: string; values: Partial<Record<string, unknown>> }[],
): ServerOptions {
  const merged: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source.values)) {
      if (value === undefined) continue;
      merged[key] = value;
      origin[key] = source.name;
    }
  }
  const parsed = serverOptionsSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.');
    const from = origin[String(issue.path[0] ?? '')] ?? origin[field] ?? 'options';
    throw new ValidationError(`Server option ${field} (from ${from}): ${issue.message}`, { field });
  }
  if (Boolean(parsed.data.tlsCert) !== Boolean(parsed.data.tlsKey)) {
    throw new ValidationError('TLS needs both tlsCert and tlsKey (--tls-cert and --tls-key).', {
      field: 'tlsCert',
    });
  }
  return Object.freeze(parsed.data);
}
