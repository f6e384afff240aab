// The one place environment variables are read; everything else receives plain values.
type Env = Readonly<Record<string, string | undefined>>;

/** Server options from `LLM_RULES_*` variables (and DATABASE_URL), by option name. */
export function serverOptionsFromEnv(env: Env): Record<string, string | undefined> {
  return {
    host: env.LLM_RULES_HOST,
    port: env.LLM_RULES_PORT,
    dataDir: env.LLM_RULES_DATA,
    databaseUrl: env.DATABASE_URL || undefined,
    configDir: env.LLM_RULES_CONFIG,
    tlsCert: env.LLM_RULES_TLS_CERT,
    tlsKey: env.LLM_RULES_TLS_KEY,
    logLevel: env.LLM_RULES_LOG_LEVEL,
    upstreamUrl: env.LLM_RULES_UPSTREAM_URL,
    redisUrl: env.REDIS_URL || undefined,
    publicUrl: env.LLM_RULES_PUBLIC_URL || undefined,
    masterKey: env.LLM_RULES_MASTER_KEY || undefined,
    breakGlassHash: env.LLM_RULES_BREAK_GLASS_HASH || undefined,
    metrics: env.LLM_RULES_METRICS || undefined,
    metricsToken: env.LLM_RULES_METRICS_TOKEN || undefined,
    parallelScavenge: env.LLM_RULES_PARALLEL_SCAVENGE || undefined,
  };
}

export function optionsFileFromEnv(env: Env): string | undefined {
  return env.LLM_RULES_OPTIONS;
}

/** `LLM_RULES_DEBUG=1` makes the CLI print stack traces of unexpected errors. */
export function debugFromEnv(env: Env): boolean {
  return Boolean(env.LLM_RULES_DEBUG);
}

/** Who is running a command, recorded as `applied_by` and in audit events. */
export function actorFromEnv(env: Env): string {
  return env.LLM_RULES_ACTOR || env.USER || env.LOGNAME || 'unknown';
}

export function storageLocationFromEnv(env: Env): { databaseUrl?: string; dataDir?: string } {
  return { databaseUrl: env.DATABASE_URL || undefined, dataDir: env.LLM_RULES_DATA || undefined };
}

/** Where `llm-rules hook` sends events, and the variable holding its token. */
export function hookClientFromEnv(env: Env, tokenVariable: string): { server?: string; token?: string } {
  return { server: env.LLM_RULES_SERVER || undefined, token: env[tokenVariable] || undefined };
}
